import { describe, expect, it } from 'vitest';
import { kerasSnakeCase, kerasV3LayerPaths } from '../../src/convert/formats/keras3-paths.js';

const layer = (class_name: string, name: string, extra: Record<string, unknown> = {}) => ({ class_name, config: { name, ...extra } });

describe('Keras 3 weight keys', () => {
  it('snake-cases class names as Keras does', () => {
    expect(['Conv2D', 'BatchNormalization', 'MaxPooling2D', 'DepthwiseConv2D', 'Dense', 'PReLU', 'Conv2DTranspose', 'InputLayer'].map(kerasSnakeCase)).toEqual([
      'conv2d',
      'batch_normalization',
      'max_pooling2d',
      'depthwise_conv2d',
      'dense',
      'p_re_lu',
      'conv2d_transpose',
      'input_layer',
    ]);
  });

  it('numbers layers per class in order, skips a Sequential InputLayer, recurses into nested models', () => {
    const backbone = { class_name: 'Sequential', config: { name: 'sequential_9', layers: [layer('InputLayer', 'in_2'), layer('Conv2D', 'conv2d_7'), layer('Conv2D', 'conv2d_8')] } };
    const model = {
      class_name: 'Functional',
      config: { name: 'f', layers: [layer('InputLayer', 'in_1'), layer('Conv2D', 'conv2d_12'), backbone, layer('Dense', 'dense_3'), layer('Conv2D', 'conv2d_13')] },
    };
    expect(Object.fromEntries(kerasV3LayerPaths(model))).toEqual({
      in_1: 'layers/input_layer',
      conv2d_12: 'layers/conv2d',
      sequential_9: 'layers/sequential',
      conv2d_7: 'layers/sequential/layers/conv2d',
      conv2d_8: 'layers/sequential/layers/conv2d_1',
      dense_3: 'layers/dense',
      conv2d_13: 'layers/conv2d_1',
    });
  });
});

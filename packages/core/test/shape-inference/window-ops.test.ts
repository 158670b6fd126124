import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, type AttributeInput } from '@onnxkit/core';
import { inferShapes } from '../../src/onnx/shape-inference/index.js';
import { exposeIntermediates, ortOutputDims, randomFloats } from './helpers.js';

type Attrs = Record<string, AttributeInput>;

/** Window configurations: every auto_pad mode, explicit and asymmetric pads, strides, dilations, ceil_mode. */
const WINDOWS: Attrs[] = [
  { kernel_shape: [3, 3] },
  { kernel_shape: [3, 2], strides: [2, 3] },
  { kernel_shape: [3, 3], pads: [1, 0, 2, 1], strides: [2, 2] },
  { kernel_shape: [3, 3], auto_pad: 'SAME_UPPER', strides: [2, 2] },
  { kernel_shape: [2, 3], auto_pad: 'SAME_LOWER', strides: [2, 2] },
  { kernel_shape: [3, 3], auto_pad: 'VALID', strides: [2, 2] },
  { kernel_shape: [3, 3], dilations: [2, 1], pads: [1, 1, 1, 1] },
  { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 },
  // The last window would start in the end padding: ceil_mode drops it.
  { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 },
  { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, dilations: [2, 2] },
];

describe('sliding-window ops agree with ORT', () => {
  it('Conv, ConvTranspose, MaxPool, AveragePool over every padding mode', async () => {
    const b = new GraphBuilder({ opset: 19 });
    const x = b.input('x', 'float32', [2, 4, 9, 8]);
    const w = b.initializer('w', 'float32', [6, 2, 3, 3], randomFloats(6 * 2 * 9));
    const w32 = b.initializer('w32', 'float32', [6, 2, 3, 2], randomFloats(6 * 2 * 6));
    const wt = b.initializer('wt', 'float32', [4, 3, 3, 3], randomFloats(4 * 3 * 9));
    for (const win of WINDOWS) {
      const { ceil_mode, ...convAttrs } = win;
      const kernel = win.kernel_shape as number[];
      b.op('MaxPool', [x], win);
      b.op('AveragePool', [x], win);
      if (ceil_mode === undefined) {
        const weights = kernel[0] === 3 && kernel[1] === 3 ? w : kernel[1] === 2 && kernel[0] === 3 ? w32 : undefined;
        if (weights) b.op('Conv', [x, weights], { ...convAttrs, group: 2 });
        if (weights === w) b.op('ConvTranspose', [x, wt], { ...convAttrs, group: 1 });
      }
    }
    b.op('ConvTranspose', [x, wt], { kernel_shape: [3, 3], strides: [2, 2], output_padding: [1, 0], pads: [1, 1, 0, 1] });
    b.op('GlobalAveragePool', [x]);
    b.op('GlobalMaxPool', [x]);
    b.output(b.op('Relu', [x]), 'float32');
    const model = b.build();
    const types = inferShapes(model, { strict: true });
    const feeds = { x: new ort.Tensor('float32', randomFloats(2 * 4 * 9 * 8), [2, 4, 9, 8]) };
    const actual = await ortOutputDims(exposeIntermediates(model, types), feeds);
    expect(actual.size).toBe(model.graph.nodes.length);
    for (const [name, dims] of actual) {
      const t = types.get(name);
      expect(t?.kind === 'tensor' ? t.shape : undefined, name).toEqual(dims);
    }
  });

  it('keeps N and C symbolic, and spatial dims known, through pools and convs', () => {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', 'float32', ['N', 'C', 32, 'W']);
    const p = b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
    const g = b.op('GlobalAveragePool', [p]);
    const types = inferShapes(b.build());
    expect(types.get(p)).toEqual({ kind: 'tensor', dtype: 'float32', shape: ['N', 'C', 16, null] });
    expect(types.get(g)).toEqual({ kind: 'tensor', dtype: 'float32', shape: ['N', 'C', 1, 1] });
  });
});

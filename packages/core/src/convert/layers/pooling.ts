import { imageShape, single, type LayerConverter } from './types.js';
import { checkChannelsLast, planWindow, readPadding, windowAttributes, type Window } from './window.js';

/** `MaxPooling2D` / `AveragePooling2D` → MaxPool / AveragePool (TF's padding excluded from averages, as ONNX's default). */
function pool(opType: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (inputs, a) => {
    const t = single(inputs, a);
    const shape = imageShape(t, a);
    const kernel = a.cfg.pair('pool_size', [2, 2]);
    const w: Window = { kernel, strides: a.cfg.pair('strides', kernel), dilations: [1, 1], padding: readPadding(a.cfg) };
    const plan = planWindow(w, [shape[1], shape[2]]);
    const y = a.ctx.op(opType, [a.ctx.nchw(t, a.where)], windowAttributes(w, plan, false));
    return { name: y, shape: [shape[0], plan.out[0], plan.out[1], shape[3]], layout: 'nchw' };
  };
}

/** `GlobalAveragePooling2D` / `GlobalMaxPooling2D`: [N, C] (or [N, 1, 1, C] with `keepdims`). */
function globalPool(opType: 'GlobalAveragePool' | 'GlobalMaxPool'): LayerConverter {
  return (inputs, a) => {
    const t = single(inputs, a);
    const shape = imageShape(t, a);
    checkChannelsLast(a.cfg);
    const y = a.ctx.op(opType, [a.ctx.nchw(t, a.where)]);
    if (a.cfg.bool('keepdims', false)) return { name: y, shape: [shape[0], 1, 1, shape[3]], layout: 'nchw' };
    return { name: a.ctx.op('Flatten', [y], { axis: 1 }), shape: [shape[0], shape[3]], layout: 'keras' };
  };
}

/** Pooling layers by Keras class name. */
export const POOLING_LAYERS: Readonly<Record<string, LayerConverter>> = {
  MaxPooling2D: pool('MaxPool'),
  MaxPool2D: pool('MaxPool'),
  AveragePooling2D: pool('AveragePool'),
  AvgPool2D: pool('AveragePool'),
  GlobalAveragePooling2D: globalPool('GlobalAveragePool'),
  GlobalAvgPool2D: globalPool('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPool('GlobalMaxPool'),
  GlobalMaxPool2D: globalPool('GlobalMaxPool'),
};

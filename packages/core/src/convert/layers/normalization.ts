import { float } from '../../onnx/attributes.js';
import { normAxis } from '../emit/tensor.js';
import { single, type LayerConverter } from './types.js';

/**
 * `BatchNormalization` over the channel (last) axis, in inference form: ONNX BatchNormalization with the
 * moving statistics. 4-D inputs run channels-first (ONNX normalises axis 1); 2-D inputs as they are.
 */
const batchNormalization: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const rank = t.shape.length;
  const axes = a.cfg.has('axis') ? a.cfg.ints('axis') : [-1];
  if (axes.length !== 1 || normAxis(axes[0], rank, a.where) !== rank - 1) {
    throw a.cfg.unsupported(`normalising axis ${JSON.stringify(a.layer.config.axis)} (only the last, channel axis)`);
  }
  if (rank !== 2 && rank !== 4) throw a.cfg.unsupported(`a ${rank}-D input (2-D or 4-D only)`);
  if (a.layer.config.renorm === true) throw a.cfg.unsupported('renorm');
  const c = t.shape[rank - 1];
  const center = a.cfg.bool('center', true);
  const scale = a.cfg.bool('scale', true);
  const expected = [
    ...(scale ? [{ name: 'gamma', shape: [c] }] : []),
    ...(center ? [{ name: 'beta', shape: [c] }] : []),
    { name: 'moving_mean', shape: [c] },
    { name: 'moving_variance', shape: [c] },
  ];
  const values = a.ctx.weights(a.layer, expected);
  const n = values[values.length - 1].shape[0];
  const at = (name: string) => values[expected.findIndex((e) => e.name === name)];
  const param = (name: string, fill: number) =>
    expected.some((e) => e.name === name) ? a.ctx.param(a.layer.name, name, [n], at(name).data) : a.ctx.param(a.layer.name, name, [n], new Float32Array(n).fill(fill));
  const x = rank === 4 ? a.ctx.nchw(t, a.where) : a.ctx.keras(t);
  const y = a.ctx.op('BatchNormalization', [x, param('gamma', 1), param('beta', 0), param('moving_mean', 0), param('moving_variance', 1)], {
    epsilon: float(a.cfg.number('epsilon', 1e-3)),
  });
  return { name: y, shape: t.shape, layout: rank === 4 ? 'nchw' : 'keras' };
};

/** Normalization layers by Keras class name. */
export const NORMALIZATION_LAYERS: Readonly<Record<string, LayerConverter>> = {
  BatchNormalization: batchNormalization,
};

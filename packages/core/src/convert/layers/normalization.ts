import { float } from '../../onnx/attributes.js';
import { normAxis } from '../emit/tensor.js';
import { single, type LayerArgs, type LayerConverter } from './types.js';

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
    // Keras' moving-average update has ONNX's convention (moving·m + batch·(1 − m)); it matters when
    // the converted model trains with batchNorm 'train'.
    momentum: float(a.cfg.number('momentum', 0.99)),
  });
  return { name: y, shape: t.shape, layout: rank === 4 ? 'nchw' : 'keras' };
};

/**
 * `LayerNormalization` over the last axis from primitives — mean, centred square mean, ÷√(var + ε),
 * then γ and β — so it fine-tunes with onnxkit's gradient rules (ONNX LayerNormalization has none).
 */
const layerNormalization: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const rank = t.shape.length;
  const axes = (a.cfg.has('axis') ? a.cfg.ints('axis') : [-1]).map((x) => normAxis(x, rank, a.where));
  if (axes.length !== 1 || axes[0] !== rank - 1) throw a.cfg.unsupported(`normalising axes ${JSON.stringify(a.layer.config.axis)} (only the last axis)`);
  if (a.layer.config.rms_scaling === true) throw a.cfg.unsupported('rms_scaling');
  const c = t.shape[rank - 1];
  const center = a.cfg.bool('center', true);
  const scale = a.cfg.bool('scale', true);
  const values = a.ctx.weights(a.layer, [...(scale ? [{ name: 'gamma', shape: [c] }] : []), ...(center ? [{ name: 'beta', shape: [c] }] : [])]);
  const x = a.ctx.keras(t);
  const centred = a.ctx.op('Sub', [x, a.ctx.reduceMean(x, [rank - 1], true)]);
  const variance = a.ctx.reduceMean(a.ctx.op('Mul', [centred, centred]), [rank - 1], true);
  const eps = a.ctx.floats('epsilon', [a.cfg.number('epsilon', 1e-3)], []);
  let y = a.ctx.op('Div', [centred, a.ctx.op('Sqrt', [a.ctx.op('Add', [variance, eps])])]);
  if (scale) y = a.ctx.op('Mul', [y, a.ctx.param(a.layer.name, 'gamma', [values[0].shape[0]], values[0].data)]);
  if (center) y = a.ctx.op('Add', [y, a.ctx.param(a.layer.name, 'beta', [values[scale ? 1 : 0].shape[0]], values[scale ? 1 : 0].data)]);
  return { name: y, shape: t.shape, layout: 'keras' };
};

/**
 * `Normalization` (the preprocessing layer): (x − mean) / max(√variance, 1e-7) over the last axis, from
 * its adapted `mean`/`variance` weights (or the config's, when given at construction); `invert` undoes it.
 * Constants, not parameters: the statistics stay fixed when fine-tuning, as in Keras.
 */
const normalizationLayer: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const { mean, variance } = normalizationStats(a);
  const std = variance.map((v) => Math.max(Math.sqrt(v), 1e-7));
  const c = mean.length;
  const x = c === 1 ? t.name : a.ctx.keras(t);
  const dims = c === 1 ? [] : [c];
  const m = a.ctx.floats('norm_mean', mean, dims);
  const s = a.ctx.floats('norm_std', std, dims);
  const y = a.cfg.bool('invert', false) ? a.ctx.op('Add', [a.ctx.op('Mul', [x, s]), m]) : a.ctx.op('Div', [a.ctx.op('Sub', [x, m]), s]);
  return { name: y, shape: t.shape, layout: c === 1 ? t.layout : 'keras' };
};

/** A Normalization layer's per-channel mean and variance (config values win; else its weights: mean, variance, count). */
export function normalizationStats(a: LayerArgs): { mean: number[]; variance: number[] } {
  const axis = a.layer.config.axis;
  if (axis !== undefined && axis !== null && axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
    throw a.cfg.unsupported(`axis ${JSON.stringify(axis)} (only the last axis)`);
  }
  const list = (v: unknown) => (typeof v === 'number' ? [v] : Array.isArray(v) && v.flat(4).every((x) => typeof x === 'number') ? (v.flat(4) as number[]) : undefined);
  const mean = list(a.layer.config.mean);
  const variance = list(a.layer.config.variance);
  if (mean && variance) return { mean, variance };
  const values = a.ctx.weights(a.layer, [
    { name: 'mean', shape: [null] },
    { name: 'variance', shape: [null] },
    { name: 'count', shape: [] },
  ]);
  return { mean: Array.from(values[0].data), variance: Array.from(values[1].data) };
}

/** Normalization layers by Keras class name. */
export const NORMALIZATION_LAYERS: Readonly<Record<string, LayerConverter>> = {
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  Normalization: normalizationLayer,
};

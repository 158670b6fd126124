import { ConvertError } from '../errors.js';
import { staticSize, type KTensor } from '../emit/tensor.js';
import { activationName, applyActivation } from './activations.js';
import { single, type LayerConverter } from './types.js';

/** `Dense`: Gemm on [N, in] (MatMul + Add on higher ranks, over the last axis as Keras does). */
const dense: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const units = a.cfg.int('units');
  const useBias = a.cfg.bool('use_bias', true);
  const inDim = t.shape[t.shape.length - 1];
  const values = a.ctx.weights(a.layer, [{ name: 'kernel', shape: [inDim, units] }, ...(useBias ? [{ name: 'bias', shape: [units] }] : [])]);
  const k = values[0];
  const kernel = a.ctx.param(a.layer.name, 'kernel', k.shape, k.data);
  const bias = useBias ? a.ctx.param(a.layer.name, 'bias', [units], values[1].data) : undefined;
  const x = a.ctx.keras(t);
  let y: string;
  if (t.shape.length === 2) y = a.ctx.op('Gemm', bias ? [x, kernel, bias] : [x, kernel]);
  else {
    y = a.ctx.op('MatMul', [x, kernel]);
    if (bias) y = a.ctx.op('Add', [y, bias]);
  }
  const out: KTensor = { name: y, shape: [...t.shape.slice(0, -1), units], layout: 'keras' };
  return applyActivation(activationName(a.layer.config.activation), out, a.ctx, a.where);
};

/**
 * `Flatten`: Keras flattens channels-last, so a channels-first value is transposed back first — the
 * order the following Dense kernel was trained on. `data_format='channels_first'` moves axis 1 last.
 */
const flatten: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  if (t.shape.length <= 2) return t;
  let x = a.ctx.keras(t);
  let shape = t.shape;
  if (a.layer.config.data_format === 'channels_first') {
    const perm = [0, ...shape.map((_, i) => i).slice(2), 1];
    x = a.ctx.op('Transpose', [x], { perm });
    shape = perm.map((p) => shape[p]);
  }
  const size = staticSize(shape);
  return { name: a.ctx.op('Flatten', [x], { axis: 1 }), shape: [shape[0], size ?? null], layout: 'keras' };
};

/** `Reshape(target_shape)` in Keras order; a `-1` is resolved when the input size is known. */
const reshape: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const target = a.cfg.ints('target_shape');
  const size = staticSize(t.shape);
  const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const holes = target.filter((d) => d === -1).length;
  if (holes > 1 || target.some((d) => d < -1 || d === 0)) throw a.cfg.unsupported(`target_shape [${target.join(', ')}]`);
  let resolved: (number | null)[] = target;
  if (size !== undefined) {
    if (holes === 0 ? known !== size : size % known !== 0) {
      throw new ConvertError('invalid-config', `${a.where}: cannot reshape ${size} values per example into [${target.join(', ')}]`);
    }
    resolved = target.map((d) => (d === -1 ? size / known : d));
  } else if (holes) resolved = target.map((d) => (d === -1 ? null : d));
  // With every size known the batch is the -1 (a constant shape WebGPU's gradient graph keeps static).
  const shape = resolved.every((d) => d !== null) ? [-1, ...(resolved as number[])] : [0, ...target];
  const y = a.ctx.op('Reshape', [a.ctx.keras(t), a.ctx.ints('shape', shape)]);
  return { name: y, shape: [t.shape[0], ...resolved], layout: 'keras' };
};

/** `Permute(dims)`: dims are 1-based and exclude the batch. */
const permute: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const dims = a.cfg.ints('dims');
  const perm = [0, ...dims];
  if ([...perm].sort((x, y) => x - y).some((d, i) => d !== i) || perm.length !== t.shape.length) {
    throw new ConvertError('invalid-config', `${a.where}: dims [${dims.join(', ')}] are not a permutation of 1..${t.shape.length - 1}`);
  }
  return { name: a.ctx.op('Transpose', [a.ctx.keras(t)], { perm }), shape: perm.map((p) => t.shape[p]), layout: 'keras' };
};

/** `Rescaling(scale, offset)`: x·scale + offset (per-channel lists broadcast over the last axis). */
const rescaling: LayerConverter = (inputs, a) => {
  const t = single(inputs, a);
  const list = (key: string, fallback: number): number[] => {
    const v = a.layer.config[key] ?? fallback;
    if (typeof v === 'number') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
    throw new ConvertError('invalid-config', `${a.where}: config '${key}' must be a number or a list of numbers`);
  };
  const scale = list('scale', 1);
  const offset = list('offset', 0);
  const scalar = scale.length === 1 && offset.length === 1;
  const x = scalar ? t.name : a.ctx.keras(t);
  const layout = scalar ? t.layout : 'keras';
  const dims = (v: number[]) => (v.length === 1 ? [] : [v.length]);
  let y = a.ctx.op('Mul', [x, a.ctx.floats('scale', scale, dims(scale))]);
  if (offset.some((o) => o !== 0)) y = a.ctx.op('Add', [y, a.ctx.floats('offset', offset, dims(offset))]);
  return { name: y, shape: t.shape, layout };
};

/** Layers that are the identity at inference (regularisers, noise). */
const identity: LayerConverter = (inputs, a) => single(inputs, a);

/** Core layers by Keras class name. */
export const CORE_LAYERS: Readonly<Record<string, LayerConverter>> = {
  Dense: dense,
  Flatten: flatten,
  Reshape: reshape,
  Permute: permute,
  Rescaling: rescaling,
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  SpatialDropout3D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  ActivityRegularization: identity,
};

import { ConvertError } from '../../errors.js';
import { NCHW_AXIS, normAxis } from '../../emit/tensor.js';
import type { GraphValue, OpConverter } from '../values.js';
import { tensorValue } from '../values.js';

/** Logical axis held at each position of a channels-first value (N, C, H, W → 0, 3, 1, 2). */
const NCHW_ORDER = [0, 3, 1, 2];

/** Reshape to a constant shape (TF's -1 kept: ONNX resolves it the same way; 0 is refused, ONNX reads it as "copy"). */
const reshape: OpConverter = (a) => {
  const t = a.tensor(0);
  const given = a.input(1);
  const target = given.kind === 'shape' ? batchShape(given.dims, t.shape) : a.ints(1, 'shape');
  if (target.some((d) => d === 0 || d < -1) || target.filter((d) => d === -1).length > 1) throw a.node.attrs.unsupported(`shape [${target.join(', ')}]`);
  const sizes = t.shape.every((d) => d !== null) ? (t.shape as number[]).reduce((p, d) => p * d, 1) : undefined;
  const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  // With an unknown batch the -1 stays unknown (usually it is the batch itself).
  const shape = target.map((d) => (d !== -1 ? d : sizes !== undefined ? sizes / known : null));
  return tensorValue({ name: a.ctx.op('Reshape', [a.ctx.keras(t), a.ctx.ints('shape', target)]), shape, layout: 'keras' });
};

/**
 * A target shape computed from the input's own, the batch unknown (`null`): TF 2's Flatten packs
 * [batch, -1]. The batch becomes ONNX's -1 after any -1 of the target is resolved from the static sizes.
 */
function batchShape(dims: readonly (number | null)[], input: readonly (number | null)[]): number[] {
  const perExample = input.slice(1).every((d) => d !== null) ? (input.slice(1) as number[]).reduce((p, d) => p * d, 1) : undefined;
  const known = dims.filter((d): d is number => d !== null && d !== -1).reduce((p, d) => p * d, 1);
  const batches = dims.filter((d) => d === null).length;
  return dims.map((d) => (d === -1 && batches === 1 && perExample !== undefined ? perExample / known : d ?? -1));
}

/** Squeeze `squeeze_dims` (all size-1 axes when empty); squeezing H and W of a channels-first image stays cheap. */
const squeeze: OpConverter = (a) => {
  const t = a.tensor(0);
  const rank = t.shape.length;
  const listed = a.node.attrs.has('squeeze_dims') ? a.node.attrs.ints('squeeze_dims') : a.node.attrs.ints('axis', []);
  const axes = (listed.length ? listed.map((x) => normAxis(x, rank, a.node.where)) : t.shape.flatMap((d, i) => (d === 1 ? [i] : []))).sort();
  if (axes.some((i) => t.shape[i] !== 1 && t.shape[i] !== null)) throw new ConvertError('invalid-config', `${a.node.where}: squeezes an axis whose size is not 1 (shape [${t.shape.join(', ')}])`);
  const shape = t.shape.filter((_, i) => !axes.includes(i));
  if (t.layout === 'nchw' && axes.join() === '1,2') {
    return tensorValue({ name: a.ctx.op('Squeeze', [t.name, a.ctx.ints('axes', [2, 3])]), shape, layout: 'keras' });
  }
  return tensorValue({ name: a.ctx.op('Squeeze', [a.ctx.keras(t), a.ctx.ints('axes', axes)]), shape, layout: 'keras' });
};

/** ExpandDims at a constant axis. */
const expandDims: OpConverter = (a) => {
  const t = a.tensor(0);
  const [axis] = a.ints(1, 'axis');
  const at = normAxis(axis, t.shape.length + 1, a.node.where);
  const shape = [...t.shape.slice(0, at), 1, ...t.shape.slice(at)];
  return tensorValue({ name: a.ctx.op('Unsqueeze', [a.ctx.keras(t), a.ctx.ints('axes', [at])]), shape, layout: 'keras' });
};

/** ConcatV2: N values then a constant axis. */
const concat: OpConverter = (a) => {
  const n = a.node.inputs.length - 1;
  if (n < 1) throw new ConvertError('invalid-config', `${a.node.where}: needs values and an axis`);
  const parts = Array.from({ length: n }, (_, i) => a.tensor(i));
  const rank = parts[0].shape.length;
  if (parts.some((p) => p.shape.length !== rank)) throw new ConvertError('invalid-config', `${a.node.where}: concatenates values of different ranks`);
  const [raw] = a.ints(n, 'axis');
  const axis = normAxis(raw, rank, a.node.where);
  const shape = parts[0].shape.map((d, i) => {
    if (i !== axis) return d;
    const s = parts.map((p) => p.shape[i]);
    return s.every((x) => x !== null) ? (s as number[]).reduce((p, x) => p + x, 0) : null;
  });
  const { names, layout } = a.ctx.common(parts);
  return tensorValue({ name: a.ctx.op('Concat', names, { axis: layout === 'nchw' ? NCHW_AXIS[axis] : axis }), shape, layout });
};

/** Transpose by a constant permutation. */
const transpose: OpConverter = (a) => {
  const t = a.tensor(0);
  const perm = a.ints(1, 'perm');
  if (perm.length !== t.shape.length || [...perm].sort().some((p, i) => p !== i)) throw new ConvertError('invalid-config', `${a.node.where}: perm [${perm.join(', ')}] is not a permutation of rank ${t.shape.length}`);
  return tensorValue({ name: a.ctx.op('Transpose', [a.ctx.keras(t)], { perm }), shape: perm.map((p) => t.shape[p]), layout: 'keras' });
};

/**
 * Pad / PadV2 (constant value) / MirrorPad (REFLECT; SYMMETRIC has no ONNX mode) by constant
 * `[rank, 2]` paddings, applied in whichever layout the value is held.
 */
function pad(kind: 'Pad' | 'PadV2' | 'MirrorPad'): OpConverter {
  return (a) => {
    const t = a.tensor(0);
    const rank = t.shape.length;
    const p = a.ints(1, 'paddings');
    if (p.length !== rank * 2 || p.some((x) => x < 0)) throw new ConvertError('invalid-config', `${a.node.where}: paddings [${p.join(', ')}] do not fit rank ${rank}`);
    let mode = 'constant';
    if (kind === 'MirrorPad') {
      const m = a.node.attrs.string('mode', 'REFLECT');
      if (m !== 'REFLECT') throw a.node.attrs.unsupported(`MirrorPad mode '${m}' (ONNX Pad has reflect, not symmetric)`);
      mode = 'reflect';
    }
    const order = t.layout === 'nchw' ? NCHW_ORDER : t.shape.map((_, i) => i);
    const pads = [...order.map((ax) => p[2 * ax]), ...order.map((ax) => p[2 * ax + 1])];
    const inputs = [t.name, a.ctx.ints('pads', pads)];
    if (kind === 'PadV2') {
      const c = a.constant(2, 'constant value');
      if (c.data[0] !== 0) inputs.push(a.ctx.floats('pad_value', [c.data[0]], []));
    }
    const shape = t.shape.map((d, i) => (d === null ? null : d + p[2 * i] + p[2 * i + 1]));
    return tensorValue({ name: a.ctx.op('Pad', inputs, { mode }), shape, layout: t.layout });
  };
}

/** Identity-like ops pass their input through (a constant stays a constant). */
const passThrough: OpConverter = (a): GraphValue => a.input(0);

/** Shape and layout ops by TensorFlow op name. */
export const SHAPE_OPS: Readonly<Record<string, OpConverter>> = {
  Reshape: reshape,
  Squeeze: squeeze,
  ExpandDims: expandDims,
  ConcatV2: concat,
  Transpose: transpose,
  Pad: pad('Pad'),
  PadV2: pad('PadV2'),
  MirrorPad: pad('MirrorPad'),
  Identity: passThrough,
  StopGradient: passThrough,
  Snapshot: passThrough,
};

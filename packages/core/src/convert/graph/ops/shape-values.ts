import { ConvertError } from '../../errors.js';
import type { GraphValue, OpArgs, OpConverter } from '../values.js';

/** The integers of a shape value or an integer constant, or a ConvertError naming the node. */
function dimsOf(a: OpArgs, i: number, role: string): { dims: (number | null)[]; scalar: boolean } {
  const v = a.input(i);
  if (v.kind === 'shape') return v;
  if (v.kind === 'const') return { dims: Array.from(v.value.data), scalar: v.value.shape.length === 0 };
  throw new ConvertError('unsupported-op', `${a.node.where}: its ${role} (input ${i}) is a tensor computed at run time; only shapes and constants are supported here`);
}

/** `Shape(x)`: x's static shape, the batch unknown. */
const shape: OpConverter = (a) => {
  const v = a.input(0);
  const dims = v.kind === 'tensor' ? v.tensor.shape : v.kind === 'const' ? v.value.shape : [v.dims.length];
  return { kind: 'shape', dims: [...dims], scalar: false };
};

/**
 * `StridedSlice` of a 1-D shape value by constant begin/end/strides, with begin/end/shrink masks
 * (Python slicing); ellipsis and new-axis masks are refused.
 */
const stridedSlice: OpConverter = (a): GraphValue => {
  const { dims } = dimsOf(a, 0, 'input');
  const [begin] = a.ints(1, 'begin');
  const [end] = a.ints(2, 'end');
  const [stride] = a.ints(3, 'strides');
  const attrs = a.node.attrs;
  if (attrs.int('ellipsis_mask', 0) || attrs.int('new_axis_mask', 0)) throw attrs.unsupported('ellipsis_mask / new_axis_mask');
  if (a.constant(1, 'begin').data.length !== 1) throw attrs.unsupported('slicing more than one axis');
  if (stride === 0) throw new ConvertError('invalid-config', `${a.node.where}: stride 0`);
  const n = dims.length;
  const norm = (x: number) => (x < 0 ? x + n : x);
  if (attrs.int('shrink_axis_mask', 0) & 1) {
    const at = norm(begin);
    if (at < 0 || at >= n) throw new ConvertError('invalid-config', `${a.node.where}: index ${begin} is out of range for ${n} values`);
    return { kind: 'shape', dims: [dims[at]], scalar: true };
  }
  const lo = attrs.int('begin_mask', 0) & 1 ? (stride > 0 ? 0 : n - 1) : Math.min(Math.max(norm(begin), stride > 0 ? 0 : -1), stride > 0 ? n : n - 1);
  const hi = attrs.int('end_mask', 0) & 1 ? (stride > 0 ? n : -1) : Math.min(Math.max(norm(end), stride > 0 ? 0 : -1), stride > 0 ? n : n - 1);
  const out: (number | null)[] = [];
  for (let i = lo; stride > 0 ? i < hi : i > hi; i += stride) out.push(dims[i]);
  return { kind: 'shape', dims: out, scalar: false };
};

/** `Pack` of scalars along axis 0 (a shape being assembled). */
const pack: OpConverter = (a) => {
  if (a.node.attrs.int('axis', 0) !== 0) throw a.node.attrs.unsupported('Pack along an axis other than 0');
  const dims = a.node.inputs.flatMap((_, i) => {
    const d = dimsOf(a, i, 'value');
    if (!d.scalar && d.dims.length !== 1) throw a.node.attrs.unsupported('packing non-scalar values');
    return d.dims;
  });
  return { kind: 'shape', dims, scalar: false };
};

/** Shape arithmetic folded at conversion. */
export const SHAPE_VALUE_OPS: Readonly<Record<string, OpConverter>> = {
  Shape: shape,
  StridedSlice: stridedSlice,
  Pack: pack,
};

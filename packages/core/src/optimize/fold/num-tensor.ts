import { storageOf, type DataType } from '../../onnx/dtype.js';
import type { TensorData } from '../../onnx/ir.js';
import { elementCount } from '../../onnx/tensor.js';

/**
 * A constant while it is being folded: its elements as JS numbers (int64 included; folded tensors
 * are shapes and small weights, far below 2^53) in row-major order.
 */
export interface NumTensor {
  dtype: DataType;
  dims: number[];
  values: Float64Array | number[];
}

/** Element types constant folding computes on; others (float16, strings, sub-byte types) are left alone. */
const FOLDABLE: ReadonlySet<DataType> = new Set([
  'float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool',
]);

/** True when tensors of `dtype` can be folded. */
export function isFoldable(dtype: DataType): boolean {
  return FOLDABLE.has(dtype);
}

/** The numbers of an IR tensor, or undefined when its type is not foldable. */
export function toNum(t: TensorData): NumTensor | undefined {
  if (!isFoldable(t.dtype) || t.external) return undefined;
  const values = Array.from(t.data as ArrayLike<number | bigint>, Number);
  return { dtype: t.dtype, dims: [...t.dims], values };
}

/** Rounds a number to what `dtype` stores (wrapping integers, float32 rounding, bool 0/1). */
export function castValue(v: number, dtype: DataType): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(v);
    case 'float64':
      return v;
    case 'bool':
      return v !== 0 ? 1 : 0;
    case 'int8':
      return (Math.trunc(v) << 24) >> 24;
    case 'uint8':
      return Math.trunc(v) & 0xff;
    case 'int16':
      return (Math.trunc(v) << 16) >> 16;
    case 'uint16':
      return Math.trunc(v) & 0xffff;
    case 'int32':
      return Math.trunc(v) | 0;
    case 'uint32':
      return Math.trunc(v) >>> 0;
    default:
      return Math.trunc(v);
  }
}

/** An IR tensor named `name` holding `t`'s numbers in `t.dtype`'s storage. */
export function fromNum(name: string, t: NumTensor): TensorData {
  const ctor = storageOf(t.dtype)!;
  const n = elementCount(t.dims);
  let data;
  if (ctor === BigInt64Array || ctor === BigUint64Array) {
    data = (ctor as typeof BigInt64Array).from({ length: n }, (_, i) => BigInt(Math.trunc(t.values[i])));
  } else {
    data = (ctor as typeof Float32Array).from({ length: n }, (_, i) => t.values[i]);
  }
  return { name, dtype: t.dtype, dims: [...t.dims], data };
}

/** Row-major strides of `dims`. */
export function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

/** Numpy-style broadcast of two shapes, or undefined when they do not broadcast. */
export function broadcastDims(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For each element of the broadcast shape `out`, the index it reads in a tensor of shape `dims`. */
export function broadcastIndex(dims: readonly number[], out: readonly number[]): (flat: number) => number {
  const lead = out.length - dims.length;
  const src = strides(dims);
  const dst = strides(out);
  return (flat) => {
    let index = 0;
    for (let i = 0; i < out.length; i++) {
      const coord = Math.floor(flat / dst[i]) % out[i];
      const d = i - lead;
      if (d >= 0 && dims[d] !== 1) index += coord * src[d];
    }
    return index;
  };
}

export { normAxis } from '../../onnx/shape-inference/dims.js';

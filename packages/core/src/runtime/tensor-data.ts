import type { DataType } from '../onnx/dtype.js';
import type { OrtTensorLike, TensorArray } from './runtime.js';

/**
 * Element types each storage class can hold. Several types share storage (bool and uint8 in Uint8Array,
 * float16 as raw bits in Uint16Array), so a bare array only narrows the choice; the model decides.
 */
const DTYPES_BY_STORAGE: Readonly<Record<string, readonly DataType[]>> = Object.freeze({
  Float32Array: ['float32'],
  Float64Array: ['float64'],
  Int8Array: ['int8', 'int4'],
  Uint8Array: ['uint8', 'bool', 'uint4'],
  Uint8ClampedArray: ['uint8'],
  Int16Array: ['int16'],
  Uint16Array: ['uint16', 'float16'],
  Int32Array: ['int32'],
  Uint32Array: ['uint32'],
  BigInt64Array: ['int64'],
  BigUint64Array: ['uint64'],
  Array: ['string'],
});

/** The storage class name of `data` (`'Float32Array'`, `'Array'` for strings), or undefined if unusable. */
export function storageName(data: unknown): string | undefined {
  if (Array.isArray(data)) return data.every((s) => typeof s === 'string') ? 'Array' : undefined;
  if (!ArrayBuffer.isView(data) || data instanceof DataView) return undefined;
  // Object.prototype.toString survives cross-realm arrays (e.g. from a worker) where instanceof would not.
  const tag = Object.prototype.toString.call(data).slice(8, -1);
  return DTYPES_BY_STORAGE[tag] ? tag : undefined;
}

/** True when `data` is a typed array (or string array) a tensor can hold. */
export function isTensorArray(data: unknown): data is TensorArray {
  return storageName(data) !== undefined;
}

/** Element types that `data`'s storage can hold; empty when it can hold none. */
export function dtypesFor(data: unknown): readonly DataType[] {
  const name = storageName(data);
  return name ? DTYPES_BY_STORAGE[name] : [];
}

/** Human-readable storage, e.g. `'Int32Array'`, `'string[]'`. */
export function describeData(data: unknown): string {
  const name = storageName(data);
  if (name === 'Array') return 'string[]';
  if (name) return name;
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'a plain array (use a typed array)';
  return typeof data === 'object' ? Object.prototype.toString.call(data).slice(8, -1) : typeof data;
}

/** Product of `dims` (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * True when `value` looks like an onnxruntime-common Tensor. Duck-typed on purpose: onnxruntime-web ships its
 * own copy of onnxruntime-common, so `instanceof Tensor` fails across copies.
 */
export function isOrtTensor(value: unknown): value is OrtTensorLike {
  if (value === null || typeof value !== 'object') return false;
  const t = value as Partial<OrtTensorLike>;
  return (
    typeof t.type === 'string' &&
    Array.isArray(t.dims) &&
    typeof t.location === 'string' &&
    typeof t.getData === 'function' &&
    typeof t.dispose === 'function'
  );
}

import { elementCount } from './codec/tensor-codec.js';
import { storageLength, storageOf, type DataType, type TensorValues } from './dtype.js';
import type { TensorData } from './ir.js';

/** Plain data accepted by {@link makeTensor}: a typed array in the type's storage, or numbers. */
export type TensorInput = TensorValues | readonly number[] | readonly bigint[];

/**
 * Makes an IR tensor, checking that `data` holds exactly the elements `dims` describe. Numbers are
 * converted to the dtype's storage (bigint for int64). Throws RangeError on a size mismatch.
 */
export function makeTensor(name: string, dtype: DataType, dims: readonly number[], data: TensorInput): TensorData {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`makeTensor('${name}'): dims must be non-negative integers, got [${dims.join(', ')}]`);
  }
  let values: TensorValues;
  if (dtype === 'string') {
    if (!Array.isArray(data) || data.some((s) => typeof s !== 'string')) {
      throw new TypeError(`makeTensor('${name}'): string tensors take an array of strings`);
    }
    values = [...(data as string[])];
  } else if (ArrayBuffer.isView(data)) {
    values = data as TensorValues;
  } else {
    const ctor = storageOf(dtype)!;
    const arr = data as readonly (number | bigint)[];
    if (ctor === BigInt64Array || ctor === BigUint64Array) {
      values = (ctor as typeof BigInt64Array).from(arr, (v) => BigInt(v));
    } else {
      values = (ctor as typeof Float32Array).from(arr, (v) => Number(v));
    }
  }
  const expected = dtype === 'string' ? elementCount(dims) : storageLength(dtype, elementCount(dims));
  if (values.length !== expected) {
    throw new RangeError(
      `makeTensor('${name}'): dims [${dims.join(', ')}] need ${expected} values, got ${values.length}`,
    );
  }
  return { name, dtype, dims: [...dims], data: values };
}

/** The tensor's elements as JS numbers (int64 converted; precision beyond 2^53 is lost). */
export function tensorToNumbers(t: TensorData): number[] {
  return Array.from(t.data as ArrayLike<number | bigint | string>, (v) => Number(v));
}

export { elementCount };

/** Element types of ONNX tensors, by the names onnxruntime-common uses where it has one. */
export type DataType =
  | 'float32'
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'string'
  | 'bool'
  | 'float16'
  | 'float64'
  | 'uint32'
  | 'uint64'
  | 'complex64'
  | 'complex128'
  | 'bfloat16'
  | 'float8e4m3fn'
  | 'float8e4m3fnuz'
  | 'float8e5m2'
  | 'float8e5m2fnuz'
  | 'uint4'
  | 'int4'
  | 'float4e2m1'
  | 'float8e8m0'
  | 'uint2'
  | 'int2';

/** ONNX `TensorProto.DataType` codes, indexed by {@link DataType}. */
export const DATA_TYPE_CODES: Readonly<Record<DataType, number>> = Object.freeze({
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
  complex64: 14,
  complex128: 15,
  bfloat16: 16,
  float8e4m3fn: 17,
  float8e4m3fnuz: 18,
  float8e5m2: 19,
  float8e5m2fnuz: 20,
  uint4: 21,
  int4: 22,
  float4e2m1: 23,
  float8e8m0: 24,
  uint2: 25,
  int2: 26,
});

const BY_CODE: ReadonlyMap<number, DataType> = new Map(
  Object.entries(DATA_TYPE_CODES).map(([name, code]) => [code, name as DataType]),
);

/** The {@link DataType} for an ONNX data-type code; throws a RangeError for an unknown code. */
export function dataTypeFromCode(code: number): DataType {
  const t = BY_CODE.get(code);
  if (t === undefined) throw new RangeError(`unknown ONNX data type code ${code}`);
  return t;
}

/** The ONNX data-type code of a {@link DataType}. */
export function dataTypeCode(type: DataType): number {
  return DATA_TYPE_CODES[type];
}

/** Typed-array storage of tensor elements in the IR; 16-bit floats are kept as raw bits. */
export type TensorValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

type TypedArrayCtor = {
  new (length: number): Exclude<TensorValues, string[]>;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): Exclude<TensorValues, string[]>;
  readonly BYTES_PER_ELEMENT: number;
};

/**
 * How each element type is stored in memory: the typed array and how many elements one array slot
 * holds (sub-byte types pack two or four per byte, complex types take two slots per element).
 */
const STORAGE: Readonly<Partial<Record<DataType, TypedArrayCtor>>> = Object.freeze({
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  complex64: Float32Array,
  complex128: Float64Array,
  float8e4m3fn: Uint8Array,
  float8e4m3fnuz: Uint8Array,
  float8e5m2: Uint8Array,
  float8e5m2fnuz: Uint8Array,
  uint4: Uint8Array,
  int4: Uint8Array,
  float4e2m1: Uint8Array,
  float8e8m0: Uint8Array,
  uint2: Uint8Array,
  int2: Uint8Array,
});

/** Element types stored two per byte. */
const PACKED_4BIT: ReadonlySet<DataType> = new Set(['uint4', 'int4', 'float4e2m1']);
/** Element types stored four per byte. */
const PACKED_2BIT: ReadonlySet<DataType> = new Set(['uint2', 'int2']);

/** The typed-array constructor that stores `type`, or undefined for strings. */
export function storageOf(type: DataType): TypedArrayCtor | undefined {
  return STORAGE[type];
}

/** Number of typed-array slots needed for `elements` elements of `type`. */
export function storageLength(type: DataType, elements: number): number {
  if (PACKED_4BIT.has(type)) return Math.ceil(elements / 2);
  if (PACKED_2BIT.has(type)) return Math.ceil(elements / 4);
  if (type === 'complex64' || type === 'complex128') return elements * 2;
  return elements;
}

/** Bytes taken by `elements` elements of `type` in `raw_data` (0 for strings). */
export function byteSize(type: DataType, elements: number): number {
  const ctor = STORAGE[type];
  if (!ctor) return 0;
  return storageLength(type, elements) * ctor.BYTES_PER_ELEMENT;
}

/** True for float element types that can carry gradients. */
export function isFloatType(type: DataType): boolean {
  return type === 'float32' || type === 'float64' || type === 'float16' || type === 'bfloat16';
}

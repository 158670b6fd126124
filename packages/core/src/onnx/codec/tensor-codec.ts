import { decodeUtf8, encodeUtf8 } from './utf8.js';
import type { onnx } from '../proto/onnx-pb.js';
import { ModelFormatError } from '../../errors.js';
import {
  byteSize,
  dataTypeCode,
  dataTypeFromCode,
  storageLength,
  storageOf,
  type DataType,
  type TensorValues,
} from '../dtype.js';
import type { ExternalDataRef, SparseTensorData, TensorData } from '../ir.js';
import { bigIntToLong, int64ToBigInt, int64ToNumber, numberToLong, type Int64Like } from './int64.js';


/** Number of elements of a tensor with these dims (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/**
 * The TensorProto fields {@link checkTensor} reads: the full decoder's TensorProto has them, and so has
 * the outline's (which keeps `raw_data` as a view of the model's bytes and skips the typed fields).
 */
export interface TensorFields {
  name?: string | null;
  dataType?: number | null;
  dims: readonly Int64Like[];
  dataLocation?: number | null;
  externalData: readonly onnx.StringStringEntryProto.$Properties[];
  rawData?: Uint8Array | null;
}

/** What {@link checkTensor} found: the tensor's name, type and dims, and its external file if it has one. */
export interface TensorHeader {
  name: string;
  dtype: DataType;
  dims: number[];
  external?: ExternalDataRef;
}

/**
 * Checks a TensorProto without copying its data: a known data type, no negative dimension, and
 * raw_data (when it has some) of exactly the size its dims need. Throws {@link ModelFormatError} (code
 * `'invalid'`) naming the tensor.
 */
export function checkTensor(p: TensorFields): TensorHeader {
  const name = p.name ?? '';
  let dtype: DataType;
  try {
    dtype = dataTypeFromCode(p.dataType ?? 0);
  } catch {
    throw new ModelFormatError('invalid', `tensor '${name}' has unknown data type ${p.dataType}`);
  }
  const dims = p.dims.map((d) => int64ToNumber(d));
  if (dims.some((d) => d < 0)) throw new ModelFormatError('invalid', `tensor '${name}' has a negative dimension`);
  if (p.dataLocation === 1) return { name, dtype, dims, external: externalRef(p) };
  if (p.rawData && p.rawData.length > 0) {
    if (!storageOf(dtype)) throw new ModelFormatError('invalid', `tensor '${name}': ${dtype} data cannot be stored in raw_data`);
    const expected = byteSize(dtype, elementCount(dims));
    if (p.rawData.byteLength !== expected) {
      throw new ModelFormatError(
        'invalid',
        `tensor '${name}': raw_data has ${p.rawData.byteLength} bytes, but dims [${dims.join(', ')}] of ${dtype} need ${expected}`,
      );
    }
  }
  return { name, dtype, dims };
}

/** raw_data (already checked) as the dtype's typed array. */
function fromRawData(dtype: DataType, raw: Uint8Array, dims: readonly number[]): TensorValues {
  // Copy so the typed array is aligned and does not pin the whole model buffer.
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return new (storageOf(dtype)!)(copy.buffer, 0, storageLength(dtype, elementCount(dims)));
}

function fromTypedFields(p: onnx.TensorProto, dtype: DataType): TensorValues {
  switch (dtype) {
    case 'string':
      return p.stringData.map((b) => decodeUtf8(b));
    case 'float32':
    case 'complex64':
      return Float32Array.from(p.floatData);
    case 'float64':
    case 'complex128':
      return Float64Array.from(p.doubleData);
    case 'int64':
      return BigInt64Array.from(p.int64Data, (v) => int64ToBigInt(v));
    case 'uint64':
      return BigUint64Array.from(p.uint64Data, (v) => int64ToBigInt(v, true));
    case 'uint32':
      return Uint32Array.from(p.uint64Data, (v) => int64ToNumber(v));
    default: {
      // int32_data carries every narrower type (one value per slot; packed 4-bit types two per slot).
      const ctor = storageOf(dtype)!;
      const out = new ctor(p.int32Data.length) as Exclude<TensorValues, string[] | BigInt64Array | BigUint64Array>;
      out.set(p.int32Data);
      return out;
    }
  }
}

function externalRef(p: Pick<TensorFields, 'externalData'>): ExternalDataRef {
  const ref: ExternalDataRef = { location: '' };
  const extra: Record<string, string> = {};
  for (const { key, value } of p.externalData) {
    const k = key ?? '';
    const v = value ?? '';
    if (k === 'location') ref.location = v;
    else if (k === 'offset') ref.offset = Number(v);
    else if (k === 'length') ref.length = Number(v);
    else if (k === 'checksum') ref.checksum = v;
    else extra[k] = v;
  }
  if (Object.keys(extra).length) ref.extra = extra;
  return ref;
}

/** Converts string/string entries to a plain record (later keys win, as in ONNX). */
export function entriesToRecord(entries: readonly onnx.StringStringEntryProto.$Properties[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) out[e.key ?? ''] = e.value ?? '';
  return out;
}

/** Converts a record back to string/string entries. */
export function recordToEntries(record: Record<string, string> | undefined): onnx.StringStringEntryProto.$Properties[] {
  return record ? Object.entries(record).map(([key, value]) => ({ key, value })) : [];
}

/** TensorProto → IR tensor. Typed fields and raw_data both become one typed array. */
export function decodeTensor(p: onnx.TensorProto): TensorData {
  const { name, dtype, dims, external } = checkTensor(p);
  const t: TensorData = { name, dtype, dims, data: [] };
  if (external) {
    t.external = external;
    t.data = dtype === 'string' ? [] : new (storageOf(dtype)!)(0);
  } else if (p.rawData && p.rawData.length > 0) {
    t.data = fromRawData(dtype, p.rawData, dims);
  } else {
    t.data = fromTypedFields(p, dtype);
    const expected = dtype === 'string' ? elementCount(dims) : storageLength(dtype, elementCount(dims));
    if (t.data.length !== expected) {
      throw new ModelFormatError(
        'invalid',
        `tensor '${name}' holds ${t.data.length} values but its dims [${dims.join(', ')}] need ${expected}`,
      );
    }
  }
  if (p.docString) t.docString = p.docString;
  if (p.metadataProps.length) t.metadata = entriesToRecord(p.metadataProps);
  return t;
}

/** IR tensor → TensorProto properties. Numeric data is written as little-endian raw_data. */
export function encodeTensor(t: TensorData): onnx.TensorProto.$Properties {
  const p: onnx.TensorProto.$Properties = {
    name: t.name,
    dataType: dataTypeCode(t.dtype),
    dims: t.dims.map(numberToLong),
  };
  if (t.docString) p.docString = t.docString;
  if (t.metadata) p.metadataProps = recordToEntries(t.metadata);
  const hasData = t.data.length > 0;
  if (t.external && !hasData) {
    const { location, offset, length, checksum, extra } = t.external;
    const entries: Record<string, string> = { location };
    if (offset !== undefined) entries.offset = String(offset);
    if (length !== undefined) entries.length = String(length);
    if (checksum !== undefined) entries.checksum = checksum;
    p.externalData = recordToEntries({ ...entries, ...extra });
    p.dataLocation = 1;
    return p;
  }
  if (Array.isArray(t.data)) {
    p.stringData = t.data.map((s) => encodeUtf8(s));
  } else if (t.data.length > 0) {
    const v = t.data;
    p.rawData = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  return p;
}

/** A SparseTensorProto's values and indices; throws {@link ModelFormatError} when one is missing. */
export function sparseParts<T>(p: { values?: T | null; indices?: T | null }): { values: T; indices: T } {
  if (!p.values || !p.indices) throw new ModelFormatError('invalid', 'sparse tensor without values or indices');
  return { values: p.values, indices: p.indices };
}

/** SparseTensorProto → IR. */
export function decodeSparseTensor(p: onnx.SparseTensorProto): SparseTensorData {
  const { values, indices } = sparseParts(p);
  return {
    values: decodeTensor(values as onnx.TensorProto),
    indices: decodeTensor(indices as onnx.TensorProto),
    dims: p.dims.map((d) => int64ToNumber(d)),
  };
}

/** IR → SparseTensorProto properties. */
export function encodeSparseTensor(s: SparseTensorData): onnx.SparseTensorProto.$Properties {
  return { values: encodeTensor(s.values), indices: encodeTensor(s.indices), dims: s.dims.map(numberToLong) };
}

export { bigIntToLong };

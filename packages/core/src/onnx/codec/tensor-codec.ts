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
import { bigIntToLong, int64ToBigInt, int64ToNumber, numberToLong } from './int64.js';


/** Number of elements of a tensor with these dims (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

function fromRawData(dtype: DataType, raw: Uint8Array, dims: readonly number[], name: string): TensorValues {
  const elements = elementCount(dims);
  const ctor = storageOf(dtype);
  if (!ctor) throw new ModelFormatError('invalid', `tensor '${name}': ${dtype} data cannot be stored in raw_data`);
  const expected = byteSize(dtype, elements);
  if (raw.byteLength !== expected) {
    throw new ModelFormatError(
      'invalid',
      `tensor '${name}': raw_data has ${raw.byteLength} bytes, but dims [${dims.join(', ')}] of ${dtype} need ${expected}`,
    );
  }
  // Copy so the typed array is aligned and does not pin the whole model buffer.
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return new ctor(copy.buffer, 0, storageLength(dtype, elements));
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

function externalRef(p: onnx.TensorProto): ExternalDataRef {
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
  const name = p.name ?? '';
  let dtype: DataType;
  try {
    dtype = dataTypeFromCode(p.dataType);
  } catch {
    throw new ModelFormatError('invalid', `tensor '${name}' has unknown data type ${p.dataType}`);
  }
  const dims = p.dims.map((d) => int64ToNumber(d));
  if (dims.some((d) => d < 0)) throw new ModelFormatError('invalid', `tensor '${name}' has a negative dimension`);
  const t: TensorData = { name, dtype, dims, data: [] };
  if (p.dataLocation === 1) {
    t.external = externalRef(p);
    t.data = dtype === 'string' ? [] : new (storageOf(dtype)!)(0);
  } else if (p.rawData && p.rawData.length > 0) {
    t.data = fromRawData(dtype, p.rawData, dims, name);
  } else {
    t.data = fromTypedFields(p, dtype);
  }
  if (!t.external) {
    const elements = elementCount(dims);
    const expected = dtype === 'string' ? elements : storageLength(dtype, elements);
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

/** SparseTensorProto → IR. */
export function decodeSparseTensor(p: onnx.SparseTensorProto): SparseTensorData {
  if (!p.values || !p.indices) throw new ModelFormatError('invalid', 'sparse tensor without values or indices');
  return {
    values: decodeTensor(p.values as onnx.TensorProto),
    indices: decodeTensor(p.indices as onnx.TensorProto),
    dims: p.dims.map((d) => int64ToNumber(d)),
  };
}

/** IR → SparseTensorProto properties. */
export function encodeSparseTensor(s: SparseTensorData): onnx.SparseTensorProto.$Properties {
  return { values: encodeTensor(s.values), indices: encodeTensor(s.indices), dims: s.dims.map(numberToLong) };
}

export { bigIntToLong };

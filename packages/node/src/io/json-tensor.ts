import { DataFormatError, jsonDepth, MAX_JSON_DEPTH, storageOf, type DataType, type TensorData, type TensorValues } from '@onnxkit/core';

/** Element types a JSON tensor may declare. */
export const JSON_DTYPES: readonly DataType[] = Object.freeze([
  'float32',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
  'string',
] as const);

const INT_RANGE: Readonly<Partial<Record<DataType, readonly [number, number]>>> = Object.freeze({
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
});

/** JSON has no NaN or infinities; they travel as these strings both ways. */
const SPECIAL_FLOATS: Readonly<Record<string, number>> = Object.freeze({
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
});

/** A tensor as JSON: what {@link tensorToJson} writes and {@link decodeJsonTensor} reads. */
export interface JsonTensor {
  name?: string;
  dtype: DataType;
  dims: number[];
  /** Row-major elements; int64 beyond ±2^53 as decimal strings, non-finite floats as `"NaN"`, `"Infinity"`. */
  data: (number | string | boolean)[];
}

/**
 * Parses a JSON tensor: `{"dims": [...], "data": [...], "dtype": "float32"}` (data flat or nested; dims
 * inferred from nesting when absent) or a bare nested array such as `[[1, 2], [3, 4]]`. Without a
 * `dtype` field the tensor takes `defaultDtype`. A ragged array, a value that does not fit the dtype or dims
 * that do not match the data throw a DataFormatError naming `name`.
 */
export function decodeJsonTensor(text: string, name = 'tensor.json', defaultDtype: DataType = 'float32'): TensorData {
  // A tensor nests one level per dimension; thousands would overflow the recursive walk below.
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) throw new DataFormatError('invalid', `${name}: JSON nested ${depth} levels deep, more than the ${MAX_JSON_DEPTH} allowed`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DataFormatError('wrong-format', `${name}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  let dtype = defaultDtype;
  let dims: number[] | undefined;
  let body: unknown = parsed;
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const o = parsed as Record<string, unknown>;
    if (!('data' in o)) throw new DataFormatError('invalid', `${name}: a JSON tensor object needs a "data" field (and optionally "dims", "dtype")`);
    body = o.data;
    if (o.dtype !== undefined) {
      if (typeof o.dtype !== 'string' || !(JSON_DTYPES as readonly string[]).includes(o.dtype)) {
        throw new DataFormatError('unsupported-dtype', `${name}: unsupported dtype ${JSON.stringify(o.dtype)}; expected one of ${JSON_DTYPES.join(', ')}`);
      }
      dtype = o.dtype as DataType;
    }
    if (o.dims !== undefined) {
      if (!Array.isArray(o.dims) || o.dims.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
        throw new DataFormatError('invalid', `${name}: "dims" must be an array of non-negative integers, got ${JSON.stringify(o.dims)}`);
      }
      dims = o.dims as number[];
    }
  } else if (!Array.isArray(parsed) && (typeof parsed === 'number' || typeof parsed === 'boolean')) {
    body = [parsed];
    dims = [];
  }
  if (!(JSON_DTYPES as readonly string[]).includes(dtype)) {
    throw new DataFormatError('unsupported-dtype', `${name}: ${dtype} tensors cannot be read from JSON; expected one of ${JSON_DTYPES.join(', ')}`);
  }
  if (!Array.isArray(body)) throw new DataFormatError('invalid', `${name}: "data" must be an array`);
  const { flat, shape } = flatten(body, name);
  if (dims === undefined) dims = shape;
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== flat.length) {
    throw new DataFormatError('invalid', `${name}: dims [${dims.join(', ')}] need ${count} values, the data has ${flat.length}`);
  }
  return { name, dtype, dims, data: toStorage(flat, dtype, name) };
}

/** Flattens a nested array, checking it is rectangular; returns the leaves and the nesting shape. */
function flatten(body: unknown[], name: string): { flat: unknown[]; shape: number[] } {
  const shape: number[] = [];
  for (let level: unknown = body; Array.isArray(level); level = level[0]) shape.push(level.length);
  const flat: unknown[] = [];
  const walk = (v: unknown, depth: number, at: string) => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new DataFormatError('invalid', `${name}: ragged array: data${at} is nested deeper than its siblings`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new DataFormatError('invalid', `${name}: ragged array: data${at} should hold ${shape[depth]} items like its siblings`);
    }
    v.forEach((x, i) => walk(x, depth + 1, `${at}[${i}]`));
  };
  walk(body, 0, '');
  return { flat, shape };
}

function toStorage(flat: unknown[], dtype: DataType, name: string): TensorValues {
  const bad = (i: number, why: string): never => {
    throw new DataFormatError('invalid', `${name}: element ${i} (${JSON.stringify(flat[i])}) ${why}`);
  };
  if (dtype === 'string') return flat.map((v, i) => (typeof v === 'string' ? v : bad(i, 'is not a string')));
  if (dtype === 'int64' || dtype === 'uint64') {
    const out = dtype === 'int64' ? new BigInt64Array(flat.length) : new BigUint64Array(flat.length);
    flat.forEach((v, i) => {
      let b: bigint;
      if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
      else if (typeof v === 'string' && /^-?\d+$/.test(v)) b = BigInt(v);
      else return bad(i, `is not an integer (${dtype} beyond ±2^53 goes as a decimal string)`);
      if (BigInt.asIntN(64, b) !== b && BigInt.asUintN(64, b) !== b) bad(i, `does not fit ${dtype}`);
      if (dtype === 'uint64' && b < 0n) bad(i, 'is negative, but the dtype is uint64');
      out[i] = b;
    });
    return out;
  }
  const ctor = storageOf(dtype)!;
  const out = new ctor(flat.length) as Exclude<TensorValues, string[] | BigInt64Array | BigUint64Array>;
  const range = INT_RANGE[dtype];
  flat.forEach((v, i) => {
    let x: number;
    if (dtype === 'bool') {
      if (typeof v === 'boolean') x = v ? 1 : 0;
      else if (v === 0 || v === 1) x = v;
      else return bad(i, 'is not a boolean (true/false or 0/1)');
    } else if (typeof v === 'number') {
      x = v;
    } else if (typeof v === 'string' && v in SPECIAL_FLOATS && !range) {
      x = SPECIAL_FLOATS[v];
    } else {
      return bad(i, `is not a number`);
    }
    if (range && (!Number.isInteger(x) || x < range[0] || x > range[1])) bad(i, `does not fit ${dtype}`);
    out[i] = x;
  });
  return out;
}

/** One element as JSON: safe integers and finite floats as numbers, the rest as strings. */
function jsonValue(v: number | bigint | string): number | string {
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

/**
 * A tensor as a plain JSON-ready object (flat row-major `data`); {@link decodeJsonTensor} reads it back.
 * float16/bfloat16 elements are written as their raw 16-bit patterns.
 */
export function tensorToJson(tensor: {
  readonly name?: string;
  readonly dtype: DataType;
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint | string>;
}): JsonTensor {
  const data = tensor.dtype === 'bool' ? Array.from(tensor.data, (v) => Boolean(v)) : Array.from(tensor.data, jsonValue);
  const out: JsonTensor = { dtype: tensor.dtype, dims: [...tensor.dims], data };
  return tensor.name ? { name: tensor.name, ...out } : out;
}

/** Serialises a tensor as JSON text (see {@link tensorToJson}). */
export function encodeJsonTensor(tensor: Parameters<typeof tensorToJson>[0]): string {
  return `${JSON.stringify(tensorToJson(tensor))}\n`;
}

import { Gunzip } from 'fflate';
import { DataFormatError } from '../errors.js';

/** A decoded IDX array (the MNIST file format): element type, dims and values. */
export interface IdxArray {
  dtype: 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
  dims: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const IDX_TYPES = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
} as const;

/** Default of `parseIdx`'s `maxInflatedBytes`: 1 GiB (Fashion-MNIST's training images inflate to 47 MB). */
export const DEFAULT_MAX_IDX_INFLATED_BYTES = 2 ** 30;

/** Options of {@link parseIdx}. */
export interface ParseIdxOptions {
  /** Most bytes a `.gz` file may inflate to; inflating stops there. @defaultValue {@link DEFAULT_MAX_IDX_INFLATED_BYTES} */
  maxInflatedBytes?: number;
}

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an IDX file (plain or gzip-compressed). IDX stores big-endian values after a header of
 * two zero bytes, a type code, the rank and one big-endian uint32 per dimension.
 * Throws a {@link DataFormatError} naming the problem for a file that is not IDX, is truncated, or
 * inflates past `maxInflatedBytes` (a small `.gz` can claim gigabytes).
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseIdx: 'bytes' must be a Uint8Array`);
  const max = options.maxInflatedBytes ?? DEFAULT_MAX_IDX_INFLATED_BYTES;
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`parseIdx: 'maxInflatedBytes' must be a positive integer, got ${max}`);
  const raw = isGzip(bytes) ? gunzipCapped(bytes, max) : bytes;
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) {
    throw new DataFormatError('wrong-format', 'parseIdx: not an IDX file (the first two bytes must be zero)');
  }
  const type = IDX_TYPES[raw[2] as keyof typeof IDX_TYPES];
  if (!type) throw new DataFormatError('unsupported-dtype', `parseIdx: unknown IDX element type 0x${raw[2].toString(16)}`);
  const rank = raw[3];
  const header = 4 + 4 * rank;
  if (raw.length < header) throw new DataFormatError('truncated', 'parseIdx: the file is truncated inside its header');
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const needed = header + count * type.bytes;
  if (raw.length < needed) {
    throw new DataFormatError('truncated', `parseIdx: the file is truncated: dims [${dims.join(', ')}] need ${needed} bytes, it has ${raw.length}`);
  }
  const data = readBigEndian(view, header, count, type.dtype);
  return { dtype: type.dtype, dims, data };
}

function readBigEndian(view: DataView, offset: number, count: number, dtype: IdxArray['dtype']): IdxArray['data'] {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 'int16':
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(offset + 2 * i, false));
    case 'int32':
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(offset + 4 * i, false));
    case 'float32':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(offset + 4 * i, false));
    case 'float64':
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(offset + 8 * i, false));
  }
}

// Input fed per push: deflate expands at most ~1032x, so one push adds at most ~16 MiB past the cap.
const GZIP_STEP = 16 * 1024;

function gunzipCapped(bytes: Uint8Array, max: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const gz = new Gunzip((chunk, final) => {
    total += chunk.length;
    if (total > max) throw new DataFormatError('too-large', `parseIdx: the gzip stream inflates to more than ${max.toLocaleString('en-US')} bytes; refusing to inflate it further`);
    chunks.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let i = 0; i < bytes.length; i += GZIP_STEP) gz.push(bytes.subarray(i, i + GZIP_STEP), i + GZIP_STEP >= bytes.length);
  } catch (err) {
    if (err instanceof DataFormatError) throw err;
    throw new DataFormatError('invalid', `parseIdx: the gzip stream is corrupt or truncated (${(err as Error).message})`, { cause: err });
  }
  // The trailer's ISIZE is the inflated size mod 2^32; a cut-off file does not end with it.
  const isize = bytes.length >= 18 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true) : -1;
  if (!ended || isize !== total % 2 ** 32) throw new DataFormatError('truncated', 'parseIdx: the gzip stream is corrupt or truncated (it ends early)');
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

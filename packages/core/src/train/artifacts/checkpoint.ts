import { decodeUtf8, encodeUtf8 } from '../../onnx/codec/utf8.js';
import { byteSize, storageLength, storageOf, type DataType, type TensorValues } from '../../onnx/dtype.js';
import type { TensorData } from '../../onnx/ir.js';
import { elementCount } from '../../onnx/tensor.js';
import { CheckpointFormatError } from './checkpoint-error.js';
import { crc32 } from './crc32.js';

/** Parameters and optimizer state between training steps (docs/ARTIFACTS.md, "checkpoint"). */
export interface Checkpoint {
  /** `parameterFingerprint` of the trainable parameters; artifacts carry the same value. */
  fingerprint: string;
  /** Optimizer updates applied so far; the next update is fed this as `step`. */
  step: number;
  /** Trainable parameters, by initializer name. */
  parameters: TensorData[];
  /** Optimizer state, `<param>.<slot>`. */
  optimizerState: TensorData[];
  /** The optimizer's resolved hyper-parameters, for the record. */
  optimizer?: Record<string, unknown>;
  /** Free-form string pairs. */
  metadata?: Record<string, string>;
}

/** The 8 bytes every checkpoint starts with: ASCII `ONNXKITC`. */
export const CHECKPOINT_MAGIC: Readonly<Uint8Array> = Uint8Array.from('ONNXKITC', (ch) => ch.charCodeAt(0));
/** The format version this build writes and reads. */
export const CHECKPOINT_VERSION = 1;

const PREAMBLE = 16;

interface TensorEntry {
  name: string;
  role: 'parameter' | 'state';
  dtype: DataType;
  dims: number[];
  offset: number;
  length: number;
}

interface Header {
  fingerprint: string;
  step: number;
  optimizer?: Record<string, unknown>;
  metadata?: Record<string, string>;
  tensors: TensorEntry[];
  dataLength: number;
  dataCrc32: number;
}

const align8 = (n: number) => (n + 7) & ~7;

/**
 * Encodes a checkpoint: magic, u32 version, u32 header length, a JSON header, then the tensors'
 * little-endian bytes, each 8-byte aligned, covered by a CRC-32 in the header.
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  if (!Number.isInteger(checkpoint.step) || checkpoint.step < 0) {
    throw new RangeError(`encodeCheckpoint: 'step' must be a non-negative integer, got ${checkpoint.step}`);
  }
  const tensors: TensorEntry[] = [];
  const blobs: Uint8Array[] = [];
  let offset = 0;
  const add = (t: TensorData, role: TensorEntry['role']) => {
    if (!storageOf(t.dtype) || Array.isArray(t.data)) throw new RangeError(`encodeCheckpoint: tensor '${t.name}' has unsupported dtype ${t.dtype}`);
    const length = byteSize(t.dtype, elementCount(t.dims));
    if (t.data.byteLength !== length) {
      throw new RangeError(`encodeCheckpoint: tensor '${t.name}' holds ${t.data.byteLength} bytes, its dims [${t.dims.join(', ')}] need ${length}`);
    }
    tensors.push({ name: t.name, role, dtype: t.dtype, dims: [...t.dims], offset, length });
    blobs.push(new Uint8Array(t.data.buffer, t.data.byteOffset, length));
    offset = align8(offset + length);
  };
  for (const t of checkpoint.parameters) add(t, 'parameter');
  for (const t of checkpoint.optimizerState) add(t, 'state');

  const data = new Uint8Array(offset);
  blobs.forEach((blob, i) => data.set(blob, tensors[i].offset));
  const header: Header = {
    fingerprint: checkpoint.fingerprint,
    step: checkpoint.step,
    ...(checkpoint.optimizer ? { optimizer: checkpoint.optimizer } : {}),
    ...(checkpoint.metadata ? { metadata: checkpoint.metadata } : {}),
    tensors,
    dataLength: data.length,
    dataCrc32: crc32(data),
  };
  const json = encodeUtf8(JSON.stringify(header));
  const dataStart = align8(PREAMBLE + json.length);
  const out = new Uint8Array(dataStart + data.length);
  out.set(CHECKPOINT_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, PREAMBLE);
  out.set(data, dataStart);
  return out;
}

/** Decodes {@link encodeCheckpoint}'s bytes; throws {@link CheckpointFormatError} naming what is wrong. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeCheckpoint: expected a Uint8Array');
  if (bytes.length < 8 || !CHECKPOINT_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new CheckpointFormatError('bad-magic', 'decodeCheckpoint: not an onnxkit checkpoint (bad magic; expected "ONNXKITC")');
  }
  if (bytes.length < PREAMBLE) throw new CheckpointFormatError('truncated', `decodeCheckpoint: truncated: ${bytes.length} bytes, the preamble needs ${PREAMBLE}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) {
    throw new CheckpointFormatError('unsupported-version', `decodeCheckpoint: format version ${version} is not supported (this build reads version ${CHECKPOINT_VERSION})`);
  }
  const headerLength = view.getUint32(12, true);
  if (bytes.length < PREAMBLE + headerLength) {
    throw new CheckpointFormatError('truncated', `decodeCheckpoint: truncated: the header needs ${headerLength} bytes, ${bytes.length - PREAMBLE} are left`);
  }
  let header: Header;
  try {
    header = JSON.parse(decodeUtf8(bytes.subarray(PREAMBLE, PREAMBLE + headerLength))) as Header;
  } catch (cause) {
    throw new CheckpointFormatError('corrupt', 'decodeCheckpoint: the header is not valid JSON', { cause });
  }
  checkHeader(header);
  const dataStart = align8(PREAMBLE + headerLength);
  if (bytes.length < dataStart + header.dataLength) {
    throw new CheckpointFormatError('truncated', `decodeCheckpoint: truncated: the tensors need ${header.dataLength} bytes, ${Math.max(0, bytes.length - dataStart)} are left`);
  }
  const data = bytes.subarray(dataStart, dataStart + header.dataLength);
  if (crc32(data) !== header.dataCrc32) throw new CheckpointFormatError('corrupt', 'decodeCheckpoint: tensor bytes fail their CRC-32 check');

  const checkpoint: Checkpoint = { fingerprint: header.fingerprint, step: header.step, parameters: [], optimizerState: [] };
  if (header.optimizer) checkpoint.optimizer = header.optimizer;
  if (header.metadata) checkpoint.metadata = header.metadata;
  for (const e of header.tensors) {
    const ctor = storageOf(e.dtype)!;
    // Copy into a fresh buffer: aligned, and independent of the file's bytes.
    const copy = data.slice(e.offset, e.offset + e.length);
    const values = new ctor(copy.buffer, 0, storageLength(e.dtype, elementCount(e.dims))) as TensorValues;
    (e.role === 'parameter' ? checkpoint.parameters : checkpoint.optimizerState).push({ name: e.name, dtype: e.dtype, dims: e.dims, data: values });
  }
  return checkpoint;
}

function checkHeader(h: Header): void {
  const bad = (what: string) => new CheckpointFormatError('corrupt', `decodeCheckpoint: bad header: ${what}`);
  if (typeof h !== 'object' || h === null) throw bad('not an object');
  if (typeof h.fingerprint !== 'string') throw bad("'fingerprint' is not a string");
  if (!Number.isInteger(h.step) || h.step < 0) throw bad("'step' is not a non-negative integer");
  if (!Number.isInteger(h.dataLength) || h.dataLength < 0 || !Number.isInteger(h.dataCrc32)) throw bad("'dataLength'/'dataCrc32' missing");
  if (!Array.isArray(h.tensors)) throw bad("'tensors' is not an array");
  for (const e of h.tensors) {
    const name = typeof e?.name === 'string' ? e.name : '?';
    if (e?.role !== 'parameter' && e?.role !== 'state') throw bad(`tensor '${name}' has role ${String(e?.role)}`);
    if (typeof e.dtype !== 'string' || !storageOf(e.dtype)) throw bad(`tensor '${name}' has dtype ${String(e.dtype)}`);
    if (!Array.isArray(e.dims) || !e.dims.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`tensor '${name}' has bad dims`);
    const need = byteSize(e.dtype, elementCount(e.dims));
    if (e.length !== need || !Number.isInteger(e.offset) || e.offset < 0 || e.offset + e.length > h.dataLength) {
      throw bad(`tensor '${name}' lies outside the data (offset ${e.offset}, ${e.length} bytes)`);
    }
  }
}

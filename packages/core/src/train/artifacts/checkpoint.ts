import { jsonDepth, MAX_JSON_DEPTH } from '../../json-depth.js';
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
  /**
   * Non-trainable tensors the training graph updates: BatchNormalization's running statistics with
   * `batchNorm: 'train'`, by initializer name. Absent (or empty) otherwise.
   */
  buffers?: TensorData[];
  /** The optimizer's resolved hyper-parameters, for the record. */
  optimizer?: Record<string, unknown>;
  /** Free-form string pairs. */
  metadata?: Record<string, string>;
}

/** The 8 bytes every checkpoint starts with: ASCII `ONNXKITC`. */
export const CHECKPOINT_MAGIC: Readonly<Uint8Array> = Uint8Array.from('ONNXKITC', (ch) => ch.charCodeAt(0));
/**
 * The format version this build writes for a checkpoint with buffers; one without is written as
 * version 2, byte for byte as before buffers existed, so builds that read versions 1 and 2 keep reading
 * it. Versions 1 to 3 are read (docs/ARTIFACTS.md).
 */
export const CHECKPOINT_VERSION = 3;
/** The newest format without buffers. */
const VERSION_WITHOUT_BUFFERS = 2;

/** Version 1: magic, version, header length, then the header; its CRC covers the tensor bytes only. */
const PREAMBLE_V1 = 16;
/** Version 2 adds a CRC-32 of everything after the preamble (header and tensors) at byte 16. */
const PREAMBLE_V2 = 20;
/** Tensor offsets are multiples of this (so typed arrays over the data are aligned). */
const ALIGN = 8;

interface TensorEntry {
  name: string;
  role: 'parameter' | 'state' | 'buffer';
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
  /** Version 1 only: CRC-32 of the tensor bytes. */
  dataCrc32?: number;
}

const align8 = (n: number) => (n + ALIGN - 1) & ~(ALIGN - 1);

/**
 * Encodes a checkpoint (version 3 with buffers, else 2): magic, u32 version, u32 header length, u32 CRC-32 of all that
 * follows, a JSON header, then the tensors' little-endian bytes, each 8-byte aligned.
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
  for (const t of checkpoint.buffers ?? []) add(t, 'buffer');
  const version = checkpoint.buffers?.length ? CHECKPOINT_VERSION : VERSION_WITHOUT_BUFFERS;

  const header: Header = {
    fingerprint: checkpoint.fingerprint,
    step: checkpoint.step,
    ...(checkpoint.optimizer ? { optimizer: checkpoint.optimizer } : {}),
    ...(checkpoint.metadata ? { metadata: checkpoint.metadata } : {}),
    tensors,
    dataLength: offset,
  };
  const json = encodeUtf8(JSON.stringify(header));
  const dataStart = align8(PREAMBLE_V2 + json.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(CHECKPOINT_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, version, true);
  view.setUint32(12, json.length, true);
  out.set(json, PREAMBLE_V2);
  blobs.forEach((blob, i) => out.set(blob, dataStart + tensors[i].offset));
  view.setUint32(16, crc32(out.subarray(PREAMBLE_V2)), true);
  return out;
}

/**
 * Decodes {@link encodeCheckpoint}'s bytes (format version 3 or 2, or 1 as earlier builds wrote it);
 * throws {@link CheckpointFormatError} naming what is wrong. Versions 2 and 3 check its CRC over the header and the
 * tensors before reading either; both versions check every tensor's offset for bounds, alignment and
 * overlap.
 */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeCheckpoint: expected a Uint8Array');
  if (bytes.length < 8 || !CHECKPOINT_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new CheckpointFormatError('bad-magic', 'decodeCheckpoint: not an onnxkit checkpoint (bad magic; expected "ONNXKITC")');
  }
  if (bytes.length < PREAMBLE_V1) throw new CheckpointFormatError('truncated', `decodeCheckpoint: truncated: ${bytes.length} bytes, the preamble needs ${PREAMBLE_V1}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== 1 && version !== 2 && version !== 3) {
    throw new CheckpointFormatError('unsupported-version', `decodeCheckpoint: format version ${version} is not supported (this build reads versions 1 to 3)`);
  }
  const preamble = version === 1 ? PREAMBLE_V1 : PREAMBLE_V2;
  if (bytes.length < preamble) throw new CheckpointFormatError('truncated', `decodeCheckpoint: truncated: ${bytes.length} bytes, the preamble needs ${preamble}`);
  const headerLength = view.getUint32(12, true);
  if (bytes.length < preamble + headerLength) {
    throw new CheckpointFormatError('truncated', `decodeCheckpoint: truncated: the header needs ${headerLength} bytes, ${bytes.length - preamble} are left`);
  }
  const headerBytes = bytes.subarray(preamble, preamble + headerLength);
  const dataStart = align8(preamble + headerLength);
  if (version >= 2 && crc32(bytes.subarray(PREAMBLE_V2)) !== view.getUint32(16, true)) {
    // Tell a cut-off file from a damaged one when the (unverified) header says how long it should be.
    const claimed = tryParseHeader(headerBytes)?.dataLength;
    if (typeof claimed === 'number' && bytes.length < dataStart + claimed) {
      throw new CheckpointFormatError('truncated', `decodeCheckpoint: truncated: the tensors need ${claimed} bytes, ${Math.max(0, bytes.length - dataStart)} are left`);
    }
    throw new CheckpointFormatError('corrupt', 'decodeCheckpoint: the header and tensor bytes fail their CRC-32 check');
  }
  const header = parseHeader(headerBytes);
  checkHeader(header, version);
  if (bytes.length < dataStart + header.dataLength) {
    throw new CheckpointFormatError('truncated', `decodeCheckpoint: truncated: the tensors need ${header.dataLength} bytes, ${Math.max(0, bytes.length - dataStart)} are left`);
  }
  const data = bytes.subarray(dataStart, dataStart + header.dataLength);
  if (version === 1 && crc32(data) !== header.dataCrc32) throw new CheckpointFormatError('corrupt', 'decodeCheckpoint: tensor bytes fail their CRC-32 check');

  const checkpoint: Checkpoint = { fingerprint: header.fingerprint, step: header.step, parameters: [], optimizerState: [] };
  if (header.optimizer) checkpoint.optimizer = header.optimizer;
  if (header.metadata) checkpoint.metadata = header.metadata;
  for (const e of header.tensors) {
    const ctor = storageOf(e.dtype)!;
    // Copy into a fresh buffer: aligned, and independent of the file's bytes. (Not `slice`: on a Node
    // Buffer, as readFileSync returns, it gives a view of the whole file.)
    const copy = new Uint8Array(data.subarray(e.offset, e.offset + e.length));
    const values = new ctor(copy.buffer, 0, storageLength(e.dtype, elementCount(e.dims))) as TensorValues;
    const tensor = { name: e.name, dtype: e.dtype, dims: e.dims, data: values };
    if (e.role === 'buffer') (checkpoint.buffers ??= []).push(tensor);
    else (e.role === 'parameter' ? checkpoint.parameters : checkpoint.optimizerState).push(tensor);
  }
  return checkpoint;
}

function tryParseHeader(bytes: Uint8Array): Partial<Header> | undefined {
  try {
    const h = parseHeader(bytes);
    return typeof h === 'object' && h !== null ? h : undefined;
  } catch {
    return undefined;
  }
}

function parseHeader(bytes: Uint8Array): Header {
  if (jsonDepth(bytes) > MAX_JSON_DEPTH) throw new CheckpointFormatError('corrupt', `decodeCheckpoint: the header nests deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(decodeUtf8(bytes)) as Header;
  } catch (cause) {
    throw new CheckpointFormatError('corrupt', 'decodeCheckpoint: the header is not valid JSON', { cause });
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkHeader(h: Header, version: number): void {
  const bad = (what: string) => new CheckpointFormatError('corrupt', `decodeCheckpoint: bad header: ${what}`);
  if (!isRecord(h)) throw bad('not an object');
  if (typeof h.fingerprint !== 'string') throw bad("'fingerprint' is not a string");
  if (!Number.isSafeInteger(h.step) || h.step < 0) throw bad("'step' is not a non-negative integer");
  if (!Number.isSafeInteger(h.dataLength) || h.dataLength < 0) throw bad("'dataLength' is not a non-negative integer");
  if (version === 1 && !Number.isInteger(h.dataCrc32)) throw bad("'dataCrc32' missing");
  if (h.optimizer !== undefined && !isRecord(h.optimizer)) throw bad("'optimizer' is not an object");
  if (h.metadata !== undefined && (!isRecord(h.metadata) || !Object.values(h.metadata).every((v) => typeof v === 'string'))) {
    throw bad("'metadata' is not an object of strings");
  }
  if (!Array.isArray(h.tensors)) throw bad("'tensors' is not an array");
  const names = new Set<string>();
  for (const e of h.tensors) {
    if (!isRecord(e) || typeof e.name !== 'string') throw bad('a tensor entry has no name');
    const name = e.name;
    if (names.has(`${e.role}:${name}`)) throw bad(`tensor '${name}' is listed twice`);
    names.add(`${e.role}:${name}`);
    // Buffers came with version 3: a version 2 file that lists one was not written by an onnxkit build.
    const roles = version >= 3 ? ['parameter', 'state', 'buffer'] : ['parameter', 'state'];
    if (!roles.includes(e.role)) throw bad(`tensor '${name}' has role ${String(e.role)}`);
    if (typeof e.dtype !== 'string' || !storageOf(e.dtype)) throw bad(`tensor '${name}' has dtype ${String(e.dtype)}`);
    if (!Array.isArray(e.dims) || !e.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(`tensor '${name}' has bad dims`);
    const need = byteSize(e.dtype, elementCount(e.dims));
    if (e.length !== need) throw bad(`tensor '${name}' has length ${String(e.length)}, its dims [${e.dims.join(', ')}] need ${need}`);
    if (!Number.isSafeInteger(e.offset) || e.offset < 0 || e.offset + e.length > h.dataLength) {
      throw bad(`tensor '${name}' lies outside the data (offset ${String(e.offset)}, ${e.length} bytes, data ${h.dataLength} bytes)`);
    }
    if (e.offset % ALIGN !== 0) throw bad(`tensor '${name}' has offset ${e.offset}, not a multiple of ${ALIGN}`);
  }
  // Tensors must not share bytes: an edited offset would otherwise load another tensor's values.
  const byOffset = [...h.tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1];
    if (byOffset[i].offset < prev.offset + prev.length) throw bad(`tensors '${prev.name}' and '${byOffset[i].name}' overlap`);
  }
}

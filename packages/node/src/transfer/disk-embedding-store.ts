import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { EmbeddingStore } from '@onnxkit/core';
import { writeFileAtomic } from '../io/atomic-write.js';
import { readUntrustedFile } from '../io/read-untrusted.js';

/** The 8 bytes every embedding file starts with: ASCII `ONNXKITE`. */
const MAGIC = Buffer.from('ONNXKITE', 'ascii');
const VERSION = 1;
/** Magic, u32 version, u32 value count, u32 CRC-32 of the values. */
const HEADER = 20;
/** A key is two hex digests, backbone and example: `<64 hex>:<64 hex>` (so it can only name a file inside the folder). */
const KEY = /^([0-9a-f]{64}):([0-9a-f]{64})$/;

/**
 * An {@link EmbeddingStore} on disk, with the embeddings it has seen also kept in memory:
 * `<dir>/<backbone hash>/<example hash>.emb`, each file `ONNXKITE`, u32 version 1, u32 value count,
 * u32 CRC-32 of the values, then float32 little-endian values. Writes are atomic (temp + rename);
 * reads take only a regular file of exactly the expected size inside `dir` (symbolic links that lead
 * out, FIFOs and devices are refused), and a file that fails its checks counts as absent (it is
 * recomputed and replaced).
 */
export class DiskEmbeddingStore implements EmbeddingStore {
  /** The cache folder (resolved). */
  readonly dir: string;
  readonly #memory = new Map<string, Float32Array>();
  #root: Promise<string | undefined> | undefined;
  #hits = 0;
  #rejected = 0;

  constructor(dir: string) {
    if (typeof dir !== 'string' || dir.length === 0) throw new TypeError('DiskEmbeddingStore: dir must be a non-empty path');
    this.dir = path.resolve(dir);
  }

  /** Embeddings read from valid files. */
  get hits(): number {
    return this.#hits;
  }

  /** Files that failed their checks (damaged, another length, another format), recomputed instead. */
  get rejected(): number {
    return this.#rejected;
  }

  async get(key: string, length: number): Promise<Float32Array | undefined> {
    const memory = this.#memory.get(key);
    if (memory) return memory.length === length ? memory : undefined;
    const root = await this.#existingRoot();
    if (!root) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = await readUntrustedFile(this.#file(key), { kind: 'tensor', maxBytes: HEADER + 4 * length, within: root, what: 'embedding' });
    } catch {
      return undefined; // absent, or refused (a link out of the folder, a special file, too large)
    }
    const value = decode(bytes, length);
    if (!value) {
      this.#rejected++;
      return undefined;
    }
    this.#hits++;
    this.#memory.set(key, value);
    return value;
  }

  async set(key: string, value: Float32Array): Promise<void> {
    const file = this.#file(key);
    const copy = value.slice();
    this.#memory.set(key, copy);
    await writeFileAtomic(file, encode(copy), { mkdir: true });
    this.#root = undefined;
  }

  #file(key: string): string {
    const m = KEY.exec(key);
    if (!m) throw new RangeError(`DiskEmbeddingStore: key '${key}' is not '<backbone sha256>:<example sha256>' (64 hex digits each)`);
    return path.join(this.dir, m[1], `${m[2]}.emb`);
  }

  /** The folder's real path, or undefined while it does not exist (nothing to read yet). */
  #existingRoot(): Promise<string | undefined> {
    this.#root ??= realpath(this.dir).catch(() => undefined);
    return this.#root;
  }
}

function encode(values: Float32Array): Uint8Array {
  const out = new Uint8Array(HEADER + values.byteLength);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, values.length, true);
  const data = out.subarray(HEADER);
  const le = new DataView(data.buffer, data.byteOffset, data.byteLength);
  values.forEach((v, i) => le.setFloat32(4 * i, v, true));
  view.setUint32(16, crc32(data), true);
  return out;
}

function decode(bytes: Uint8Array, length: number): Float32Array | undefined {
  if (bytes.length !== HEADER + 4 * length || !MAGIC.equals(bytes.subarray(0, 8))) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8, true) !== VERSION || view.getUint32(12, true) !== length) return undefined;
  const data = bytes.subarray(HEADER);
  if (crc32(data) !== view.getUint32(16, true)) return undefined;
  const le = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return Float32Array.from({ length }, (_, i) => le.getFloat32(4 * i, true));
}

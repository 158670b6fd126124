import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { checkModelLoadOptions, integrityHex, type ModelLoadOptions } from '@onnxkit/core';
import { writeFileAtomic } from '../io/atomic-write.js';
import { FileAccessError } from '../io/file-access-error.js';
import { fileLimit } from '../io/limits.js';
import { readUntrustedFile } from '../io/read-untrusted.js';
import { defaultModelCacheDir } from './cache-dir.js';
import { ModelDownloadError } from './download-error.js';

/** True for a string that {@link downloadModel} takes: an absolute http(s) URL. */
export function isHttpUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * Downloads a model from an http(s) URL, the way `createSession(url)` and `Classifier.load(url)` do in
 * Node: progress through `onProgress`, abortable with `signal`, kept in `cacheDir` (written atomically)
 * so the next load of the URL reads the local copy, refused over `maxBytes` (before allocating, from
 * Content-Length, and while receiving) and, with `integrity`, refused unless its SHA-256 matches — a
 * cached copy too, which is then downloaded again. Failures throw a {@link ModelDownloadError}.
 *
 * @example
 * ```ts
 * const bytes = await downloadModel('https://example.com/mnist-cnn.onnx', {
 *   integrity: 'fb7b0b751dfa306a4bbe7659fb9cd8f18321a0a0cfdc6cb0398bb83dc9d1bd40',
 *   onProgress: ({ loaded, total }) => console.log(loaded, total),
 * });
 * ```
 */
export async function downloadModel(url: string, options: ModelLoadOptions = {}): Promise<Uint8Array> {
  if (typeof url !== 'string') throw new TypeError(`downloadModel: url must be a string, got ${typeof url}`);
  if (!isHttpUrl(url)) throw new RangeError(`downloadModel: url must be an http:// or https:// URL, got '${url}'`);
  const opts = checkModelLoadOptions('downloadModel', options);
  const maxBytes = opts.maxBytes ?? fileLimit('model');
  const expected = opts.integrity === undefined ? undefined : integrityHex(opts.integrity);
  const dir = opts.cacheDir === false ? undefined : path.resolve(opts.cacheDir ?? defaultModelCacheDir());
  // One file per URL, named by the URL's hash: nothing the server says chooses a path.
  const cached = dir && path.join(dir, `${createHash('sha256').update(url).digest('hex')}.onnx`);

  if (cached) {
    const local = await readCached(cached, maxBytes);
    if (local && (expected === undefined || sha256(local) === expected)) {
      opts.onProgress?.({ loaded: local.length, total: local.length });
      return local;
    }
    if (local) await unlink(cached).catch(() => undefined); // a stale or tampered copy is not kept
  }
  const bytes = await fetchBytes(url, maxBytes, opts);
  if (expected !== undefined) {
    const got = sha256(bytes);
    if (got !== expected) {
      throw new ModelDownloadError('integrity', url, `model ${url} failed its integrity check: sha256 is ${got}, expected ${expected}`);
    }
  }
  if (cached) await writeFileAtomic(cached, bytes, { mkdir: true });
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readCached(file: string, maxBytes: number): Promise<Uint8Array | undefined> {
  try {
    return await readUntrustedFile(file, { kind: 'model', maxBytes, what: 'cached model' });
  } catch (err) {
    if (err instanceof FileAccessError && err.code === 'not-found') return undefined;
    throw err;
  }
}

async function fetchBytes(url: string, maxBytes: number, opts: ModelLoadOptions): Promise<Uint8Array> {
  const signal = opts.signal as AbortSignal | undefined;
  signal?.throwIfAborted();
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new ModelDownloadError('network', url, `could not download model ${url}: ${why}`, { cause: err });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new ModelDownloadError('http-status', url, `could not download model ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  const encoding = response.headers.get('content-encoding');
  const declared = Number(response.headers.get('content-length'));
  // A compressed body's Content-Length counts compressed bytes; the cap is on what arrives decoded.
  const total = (!encoding || encoding === 'identity') && Number.isSafeInteger(declared) && declared > 0 ? declared : undefined;
  const tooLarge = () =>
    new ModelDownloadError('too-large', url, `model ${url} is larger than the ${maxBytes}-byte limit (options.load.maxBytes or ONNXKIT_MAX_MODEL_BYTES)`);
  if (total !== undefined && total > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body?.getReader();
  // Once the headers are in, undici no longer watches the signal for us: cancel the body ourselves.
  const onAbort = () => void reader?.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const next = await reader?.read();
      signal?.throwIfAborted();
      if (!next || next.done) break;
      loaded += next.value.length;
      if (loaded > maxBytes) throw tooLarge();
      chunks.push(next.value);
      opts.onProgress?.({ loaded, total });
    }
  } catch (err) {
    await reader?.cancel().catch(() => undefined);
    if (signal?.aborted) throw signal.reason;
    if (err instanceof ModelDownloadError) throw err;
    throw new ModelDownloadError('network', url, `download of model ${url} broke off after ${loaded} bytes: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const bytes = Buffer.concat(chunks, loaded);
  opts.onProgress?.({ loaded, total: loaded });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

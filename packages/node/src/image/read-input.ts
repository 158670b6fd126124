import { fileURLToPath } from 'node:url';
import { describeImage, ImageError, type ImageInput } from '@onnxkit/core';
import { FileAccessError } from '../io/file-access-error.js';
import { fileLimit } from '../io/limits.js';
import { readUntrustedFile, readUntrustedFileSync } from '../io/read-untrusted.js';

/** The most bytes an encoded image under `maxPixels` can need: 8 per pixel (16-bit RGBA, uncompressed TIFF) and 1 MiB of headers. */
export function imageByteLimit(maxPixels: number): number {
  return maxPixels * 8 + (1 << 20);
}

/**
 * Bytes of an encoded image given as a path, `file:` URL, Buffer/Uint8Array, ArrayBuffer or readable stream;
 * a file or stream is read only up to `maxBytes` and the image file limit (`ONNXKIT_MAX_IMAGE_BYTES`).
 */
export async function readImageBytes(input: ImageInput, maxBytes: number): Promise<Uint8Array> {
  const source = describeImage(input);
  if (typeof input === 'string' || input instanceof URL) {
    let file: string;
    try {
      file = typeof input === 'string' ? input : fileURLToPath(input);
    } catch (e) {
      throw new ImageError('unsupported-input', source, `only file: URLs can be read in Node (${(e as Error).message})`);
    }
    if (file.length === 0) throw new ImageError('unreadable', "''", 'the image path is empty');
    try {
      // Only regular files: a FIFO named x.png would block the whole batch, /dev/zero would never end.
      return await readUntrustedFile(file, { kind: 'image', what: 'image', maxBytes });
    } catch (e) {
      throw asImageError(e, source);
    }
  }
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (isAsyncIterable(input)) return readStream(input, source, Math.min(maxBytes, fileLimit('image')));
  throw new ImageError(
    'unsupported-input',
    source,
    'not an image input Node can decode: pass a file path, a Buffer/Uint8Array, an ArrayBuffer, a readable stream, or raw pixels { width, height, channels, data }',
  );
}

/**
 * {@link readImageBytes} of a path, read synchronously, with the same checks (regular files only, size
 * capped before allocating). For the pool's worker threads: each exists to decode, and a read of a few
 * hundred KB from the page cache takes microseconds there, while the asynchronous read's four trips
 * (open, stat, read, close) through libuv's four shared threads wait behind sharp's decodes on them.
 */
export function readImageFileSync(file: string, maxBytes: number): Uint8Array {
  const source = describeImage(file);
  if (file.length === 0) throw new ImageError('unreadable', "''", 'the image path is empty');
  try {
    return readUntrustedFileSync(file, { kind: 'image', what: 'image', maxBytes });
  } catch (e) {
    throw asImageError(e, source);
  }
}

function asImageError(e: unknown, source: string): unknown {
  if (!(e instanceof FileAccessError)) return e;
  return new ImageError(e.code === 'too-large' ? 'too-large' : 'unreadable', source, `cannot read the file: ${e.reason}`, { cause: e });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

async function readStream(stream: AsyncIterable<unknown>, source: string, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk instanceof Uint8Array ? chunk : undefined;
      if (!bytes) throw new ImageError('unsupported-input', source, `the stream yielded ${describeImage(chunk)}, not bytes`);
      total += bytes.byteLength;
      if (total > maxBytes) {
        // Stop reading: a stream this long cannot hold an image under the pixel limit.
        (stream as { destroy?: () => void }).destroy?.();
        throw new ImageError('too-large', source, `the stream is over ${maxBytes.toLocaleString('en-US')} bytes, more than an image under the pixel limit needs`);
      }
      chunks.push(bytes);
    }
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError('unreadable', source, `reading the stream failed: ${(e as Error).message}`, { cause: e });
  }
  return Buffer.concat(chunks, total);
}

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describeImage, ImageError, type ImageInput } from '@onnxkit/core';
import { describeFsError } from '../io/fs-error.js';

/** Bytes of an encoded image given as a path, `file:` URL, Buffer/Uint8Array, ArrayBuffer or readable stream. */
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
      return await readFile(file);
    } catch (e) {
      throw new ImageError('unreadable', source, `cannot read the file: ${describeFsError(e)}`, { cause: e });
    }
  }
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (isAsyncIterable(input)) return readStream(input, source, maxBytes);
  throw new ImageError(
    'unsupported-input',
    source,
    'not an image input Node can decode: pass a file path, a Buffer/Uint8Array, an ArrayBuffer, a readable stream, or raw pixels { width, height, channels, data }',
  );
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

import { readFile, stat } from 'node:fs/promises';

/**
 * Reads a model file into memory. Throws a TypeError for a non-string path and an Error naming the path
 * when it is missing or a directory. External data files are not resolved here.
 */
export async function readModelFile(path: string): Promise<Uint8Array> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(`readModelFile: path must be a non-empty string, got ${typeof path}`);
  }
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`model file not found: ${path}${code && code !== 'ENOENT' ? ` (${code})` : ''}`, { cause: e });
  }
  if (!info.isFile()) throw new Error(`model path is not a file: ${path}`);
  const buf = await readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

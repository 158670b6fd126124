import { openModelFile } from '../io/model-file.js';

/**
 * Reads a model file for ONNX Runtime: self-contained bytes, its external data (if any) read from the
 * model's own folder, never the working directory (see `openModelFile` for what is refused). Throws a
 * TypeError for a non-string path, a `FileAccessError` for a missing, special or oversized file.
 */
export async function readModelFile(path: string): Promise<Uint8Array> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(`readModelFile: path must be a non-empty string, got ${typeof path}`);
  }
  return (await openModelFile(path)).bytes;
}

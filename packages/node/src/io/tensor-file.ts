import path from 'node:path';
import type { DataType, TensorData } from '@onnxkit/core';
import { writeFileAtomic } from './atomic-write.js';
import { decodeJsonTensor, encodeJsonTensor } from './json-tensor.js';
import { decodeNpy, encodeNpy } from './npy.js';
import { readUntrustedFile } from './read-untrusted.js';
import { decodeTensorProto, encodeTensorProto } from './tensor-proto.js';

/** File formats a tensor can be read from and written to, by extension. */
export const TENSOR_FILE_EXTENSIONS: readonly string[] = Object.freeze(['.npy', '.json', '.pb']);

/** Options of {@link readTensorFile}. */
export interface ReadTensorOptions {
  /**
   * Element type for a JSON file that does not declare one (e.g. the model input's dtype).
   * @defaultValue 'float32'
   */
  dtype?: DataType;
}

function extensionOf(file: string): string {
  const ext = path.extname(file).toLowerCase();
  if (!TENSOR_FILE_EXTENSIONS.includes(ext)) {
    throw new RangeError(
      `${file}: unknown tensor file type '${ext || '(none)'}'; use ${TENSOR_FILE_EXTENSIONS.join(', ')}`,
    );
  }
  return ext;
}

/**
 * Reads a tensor from a `.npy` (numpy, C order, little-endian), `.json` (`{dims, data, dtype}` or a
 * nested array) or `.pb` (ONNX TensorProto) file, chosen by extension. Errors name the file; a missing,
 * special (FIFO, device) or oversized file throws a `FileAccessError`.
 */
export async function readTensorFile(file: string, options: ReadTensorOptions = {}): Promise<TensorData> {
  const ext = extensionOf(file);
  const bytes = await readUntrustedFile(file, { kind: 'tensor', what: 'tensor file' });
  if (ext === '.npy') return decodeNpy(bytes, file);
  if (ext === '.json') return decodeJsonTensor(new TextDecoder().decode(bytes), file, options.dtype);
  return decodeTensorProto(bytes, file);
}

/** Writes a tensor atomically in the format its extension names (see {@link readTensorFile}). */
export async function writeTensorFile(file: string, tensor: TensorData): Promise<void> {
  const ext = extensionOf(file);
  const bytes = ext === '.npy' ? encodeNpy(tensor) : ext === '.json' ? encodeJsonTensor(tensor) : encodeTensorProto(tensor);
  await writeFileAtomic(file, bytes);
}

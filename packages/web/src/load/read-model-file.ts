import { checkLoadOptions, readStream, type LoadOptions } from './progress.js';

/**
 * Reads a model the user picked (a `File` from an `<input type="file">` or a drop, or any `Blob`),
 * reporting progress with `options.onProgress`.
 */
export async function readModelFile(file: Blob, options: LoadOptions = {}): Promise<Uint8Array> {
  if (typeof Blob === 'undefined' || !(file instanceof Blob)) {
    throw new TypeError(`readModelFile: file must be a File or Blob, got ${file === null ? 'null' : typeof file}`);
  }
  checkLoadOptions('readModelFile', options);
  if (file.size === 0) throw new RangeError(`readModelFile: ${describe(file)} is empty (0 bytes)`);
  return readStream(file.stream(), file.size, options);
}

function describe(file: Blob): string {
  return typeof File !== 'undefined' && file instanceof File ? `'${file.name}'` : 'the blob';
}

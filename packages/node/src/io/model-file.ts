import path from 'node:path';
import {
  decodeModel,
  encodeModel,
  externalTensors,
  ModelFormatError,
  resolveExternalData,
  type Model,
} from '@onnxkit/core';
import { FileAccessError } from './file-access-error.js';
import { readUntrustedFile } from './read-untrusted.js';

/** Options of {@link openModelFile} and {@link loadModelFile}. */
export interface ModelFileOptions {
  /**
   * Validate the graph after decoding (see `decodeModel`).
   * @defaultValue true
   */
  validate?: boolean;
  /**
   * Load external tensors into memory. With false, external tensors keep their `external` reference and
   * empty `data`, and `bytes` are the file's own bytes (enough to inspect a model without its weights).
   * @defaultValue true
   */
  loadExternalData?: boolean;
}

/** A model read from disk by {@link openModelFile}. */
export interface ModelFile {
  /** Absolute path of the model file. */
  readonly path: string;
  /** The decoded model, with every external tensor loaded into memory (unless `loadExternalData: false`). */
  readonly model: Model;
  /**
   * Self-contained ONNX bytes for ONNX Runtime: the file's own bytes, or the model re-encoded with its
   * external data inlined when it had any.
   */
  readonly bytes: Uint8Array;
  /** External data files the model referenced (locations as written in the model), in first-use order. */
  readonly externalFiles: readonly string[];
}

/**
 * Reads an ONNX model file and loads its external data from the model's folder. A `location` that is
 * absolute, climbs out of the folder with `..`, or leads out of it through a symbolic link is refused with a
 * {@link ModelFormatError} (code `'external-data'`), and so is one that is not a regular file or is over
 * its size limit. A model path that is missing, not a regular file (a FIFO, a device, a directory) or over
 * `ONNXKIT_MAX_MODEL_BYTES` throws a `FileAccessError` naming it; bytes that are not a model throw a
 * ModelFormatError prefixed with the path.
 */
export async function openModelFile(file: string, options: ModelFileOptions = {}): Promise<ModelFile> {
  if (typeof file !== 'string' || file.length === 0) throw new TypeError('openModelFile: file must be a non-empty path');
  const absolute = path.resolve(file);
  const raw = await readUntrustedFile(file, { kind: 'model', what: 'model' });
  let model: Model;
  try {
    model = decodeModel(raw, { validate: options.validate ?? true });
  } catch (err) {
    if (err instanceof ModelFormatError) throw new ModelFormatError(err.code, `${file}: ${err.message}`, { cause: err });
    throw err;
  }
  const externalFiles = [...new Set(externalTensors(model).map((t) => t.external!.location))];
  if (externalFiles.length === 0 || options.loadExternalData === false) return { path: absolute, model, bytes: raw, externalFiles };
  await resolveExternalData(model, folderReader(path.dirname(absolute)));
  return { path: absolute, model, bytes: encodeModel(model), externalFiles };
}

/** Reads an ONNX model file with its external data; see {@link openModelFile}. */
export async function loadModelFile(file: string, options: ModelFileOptions = {}): Promise<Model> {
  return (await openModelFile(file, options)).model;
}

/**
 * Reads external-data locations (already checked by core for absolute paths and `..`) inside `dir`:
 * regular files only, capped in size, refusing one that a symbolic link leads outside the folder.
 */
function folderReader(dir: string): (location: string) => Promise<Uint8Array> {
  return async (location) => {
    // Locations may use either separator (models made on Windows); core judged them the same way.
    const target = path.join(dir, ...location.split(/[\\/]/));
    try {
      return await readUntrustedFile(target, { kind: 'weights', what: 'external data', within: dir });
    } catch (err) {
      if (!(err instanceof FileAccessError)) throw err;
      if (err.code === 'outside-folder') {
        throw new ModelFormatError(
          'external-data',
          `external data location '${location}' leads outside the model's folder through a symbolic link (${err.reason})`,
          { cause: err },
        );
      }
      // Core names the tensor and the location around this reason.
      throw new Error(err.code === 'not-found' ? `${err.reason} (looked for ${target})` : err.reason, { cause: err });
    }
  };
}

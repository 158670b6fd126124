import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import {
  decodeModel,
  encodeModel,
  externalTensors,
  ModelFormatError,
  resolveExternalData,
  type Model,
} from '@onnxkit/core';
import { describeFsError } from './fs-error.js';

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
 * {@link ModelFormatError} (code `'external-data'`). A missing or unreadable file throws an Error naming
 * the path; bytes that are not a model throw a ModelFormatError prefixed with the path.
 */
export async function openModelFile(file: string, options: ModelFileOptions = {}): Promise<ModelFile> {
  if (typeof file !== 'string' || file.length === 0) throw new TypeError('openModelFile: file must be a non-empty path');
  const absolute = path.resolve(file);
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await readFile(absolute));
  } catch (err) {
    throw new Error(`cannot read model '${file}': ${describeFsError(err)}`, { cause: err });
  }
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
 * Reads external-data locations (already checked by core for absolute paths and `..`) inside `dir`,
 * refusing one that a symbolic link leads outside it.
 */
function folderReader(dir: string): (location: string) => Promise<Uint8Array> {
  let realDir: Promise<string> | undefined;
  return async (location) => {
    // Locations may use either separator (models made on Windows); core judged them the same way.
    const target = path.join(dir, ...location.split(/[\\/]/));
    let real: string;
    try {
      real = await realpath(target);
    } catch (err) {
      throw new Error(`${describeFsError(err)} (looked for ${target})`, { cause: err });
    }
    realDir ??= realpath(dir);
    const root = await realDir;
    if (!real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
      throw new ModelFormatError(
        'external-data',
        `external data location '${location}' leads outside the model's folder through a symbolic link (to ${real})`,
      );
    }
    try {
      return new Uint8Array(await readFile(real));
    } catch (err) {
      throw new Error(describeFsError(err), { cause: err });
    }
  };
}

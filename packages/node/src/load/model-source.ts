import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ModelLoadOptions } from '@onnxkit/core';
import { isModelName, MODEL_NAMES, modelUrl, type ModelName } from '@onnxkit/models';
import { FileAccessError } from '../io/file-access-error.js';
import { readModelFile } from '../runtime/read-model-file.js';
import { downloadModel, isHttpUrl } from './download-model.js';

/**
 * What a model string means in Node, for `createSession(source)` and `Classifier.load(source)`: an
 * http(s) URL is downloaded (see {@link downloadModel}); an existing file is read; a shipped model's
 * name (`'mnist-cnn'`, `'fashion-cnn'`, from `@onnxkit/models`) reads that model. Anything else throws a
 * `FileAccessError` (code `'not-found'`) that lists the shipped names.
 */
export async function loadModelSource(source: string, options: ModelLoadOptions = {}): Promise<Uint8Array> {
  if (typeof source !== 'string' || source.length === 0) {
    throw new TypeError(`loadModelSource: source must be a non-empty string, got ${typeof source}`);
  }
  if (isHttpUrl(source)) return downloadModel(source, options);
  if (isModelName(source) && !(await exists(source))) return readModelFile(shippedModelPath(source));
  try {
    return await readModelFile(source);
  } catch (err) {
    if (!(err instanceof FileAccessError) || err.code !== 'not-found') throw err;
    const names = MODEL_NAMES.map((n) => `'${n}'`).join(', ');
    throw new FileAccessError(
      'not-found',
      err.path,
      `${err.message}; it is not a shipped model either (the names are ${names}) nor an http(s) URL`,
      err.reason,
      { cause: err },
    );
  }
}

/**
 * The file path of a shipped model (`'mnist-cnn'`, `'fashion-cnn'`), e.g. for `loadModelFile` when an app
 * fine-tunes it. Throws a RangeError listing the names for any other name.
 */
export function shippedModelPath(name: ModelName): string {
  return fileURLToPath(modelUrl(name));
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

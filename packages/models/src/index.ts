/**
 * The models onnxkit ships, by name. Each is a file in this package (`models/<name>.onnx`, card
 * `models/<name>.md`); {@link modelUrl} gives its URL through `new URL(…, import.meta.url)` with a
 * literal path, so bundlers (Vite, webpack 5, esbuild with a file loader) emit the file and rewrite the
 * URL, and in Node it is a `file:` URL. `@onnxkit/node` loads them by name:
 * `createSession('mnist-cnn')`, `Classifier.load('fashion-cnn')`.
 *
 * @packageDocumentation
 * @module @onnxkit/models
 */

/** The names of the shipped models. */
export const MODEL_NAMES = ['mnist-cnn', 'fashion-cnn'] as const;

/** One of {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** True when `name` is one of {@link MODEL_NAMES}. */
export function isModelName(name: unknown): name is ModelName {
  return typeof name === 'string' && (MODEL_NAMES as readonly string[]).includes(name);
}

function checkName(where: string, name: unknown): asserts name is ModelName {
  if (typeof name !== 'string') throw new TypeError(`${where}: name must be a string, got ${name === null ? 'null' : typeof name}`);
  if (!isModelName(name)) throw new RangeError(`${where}: '${name}' is not a shipped model; the names are ${MODEL_NAMES.join(', ')}`);
}

/**
 * The URL of a shipped model's `.onnx` file, as a string: what the bundler emitted in a web app, a
 * `file:` URL in Node. Throws a RangeError listing the names for any other name.
 *
 * @example
 * ```ts
 * import { createSession } from '@onnxkit/web';
 * import { modelUrl } from '@onnxkit/models';
 * const session = await createSession(modelUrl('mnist-cnn'));
 * ```
 */
export function modelUrl(name: ModelName): string {
  checkName('modelUrl', name);
  // One literal `new URL` per file: bundlers only see (and emit) URLs written out in full.
  switch (name) {
    case 'mnist-cnn':
      return new URL('../models/mnist-cnn.onnx', import.meta.url).href;
    case 'fashion-cnn':
      return new URL('../models/fashion-cnn.onnx', import.meta.url).href;
  }
}

/** The URL of a shipped model's card (Markdown: data, recipe, accuracy, input/output contract). */
export function modelCardUrl(name: ModelName): string {
  checkName('modelCardUrl', name);
  switch (name) {
    case 'mnist-cnn':
      return new URL('../models/mnist-cnn.md', import.meta.url).href;
    case 'fashion-cnn':
      return new URL('../models/fashion-cnn.md', import.meta.url).href;
  }
}

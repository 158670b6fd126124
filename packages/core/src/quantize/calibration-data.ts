import type { ImageDataset } from '../data/dataset.js';
import type { Dim, Model } from '../onnx/ir.js';
import type { TensorInit } from '../runtime/feeds.js';

/**
 * Sample inputs to calibrate on: an image dataset (fed to the model's single image input, NCHW or
 * NHWC as the input's shape says), or a list of ready feeds (one run each, by input name).
 */
export type CalibrationSource = ImageDataset | readonly Readonly<Record<string, TensorInit>>[];

/** True for an {@link ImageDataset}. */
export function isImageDataset(x: unknown): x is ImageDataset {
  return typeof x === 'object' && x !== null && 'images' in x && 'labels' in x && 'shape' in x && 'count' in x;
}

/** The model's data inputs (initializers listed as inputs are not data). */
export function dataInputs(model: Model): { name: string; shape?: Dim[] }[] {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  return model.graph.inputs
    .filter((v) => !inits.has(v.name))
    .map((v) => ({ name: v.name, ...(v.type?.kind === 'tensor' && v.type.shape ? { shape: v.type.shape } : {}) }));
}

/**
 * Batches of feeds for `source`: an image dataset is cut into batches of `batchSize` images (or the
 * model's fixed batch size; at most `limit` images) laid out as the model's input wants; a feed list
 * is used as it is.
 */
export function* calibrationFeeds(model: Model, source: CalibrationSource, batchSize: number, limit = Infinity): Generator<Record<string, TensorInit>> {
  if (!isImageDataset(source)) {
    if (!Array.isArray(source)) throw new TypeError('quantize: calibration must be an ImageDataset or an array of feeds');
    for (const feeds of source) yield { ...feeds };
    return;
  }
  const inputs = dataInputs(model);
  if (inputs.length !== 1) {
    throw new RangeError(`quantize: an image dataset feeds models with one input, this one has ${inputs.length} (${inputs.map((i) => i.name).join(', ')}); pass a list of feeds`);
  }
  const { name, shape } = inputs[0];
  const [c, h, w] = source.shape;
  const nhwc = shape?.length === 4 && shape[3] === c && shape[1] !== c;
  const size = c * h * w;
  // A model with a fixed batch dim (mnist-8 takes exactly 1) gets batches of that size; a remainder is dropped.
  const fixed = typeof shape?.[0] === 'number' && shape[0] > 0 ? shape[0] : undefined;
  const batch = fixed ?? batchSize;
  const count = Math.min(source.count, limit);
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    if (fixed !== undefined && n < fixed) return;
    const chw = source.images.subarray(start * size, (start + n) * size);
    yield { [name]: nhwc ? { data: toNhwc(chw, n, c, h, w), dims: [n, h, w, c] } : { data: chw.slice(), dims: [n, c, h, w] } };
  }
}

function toNhwc(chw: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  if (c === 1) return chw.slice();
  const out = new Float32Array(chw.length);
  for (let k = 0; k < n; k++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[((k * h + y) * w + x) * c + ch] = chw[((k * c + ch) * h + y) * w + x];
  return out;
}

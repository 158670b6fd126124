import type { IdxArray } from './idx.js';

/**
 * Labelled images in memory: `images` holds `count` images of `shape` [C, H, W] in NCHW order,
 * scaled to 0..1; `labels` holds class indices in 0..classes-1.
 */
export interface ImageDataset {
  images: Float32Array;
  labels: Int32Array;
  count: number;
  shape: [number, number, number];
  classes: number;
  /** Display names of the classes, index = label. */
  classNames?: string[];
}

/** A source of uniform random numbers in [0, 1) (e.g. the seeded generator in `random.ts`). */
export interface RandomSource {
  next(): number;
}

/**
 * Builds a dataset from IDX image and label arrays (MNIST layout: images [N, H, W] uint8, labels
 * [N] uint8). Pixels are divided by 255. Throws RangeError when counts disagree.
 */
export function datasetFromIdx(images: IdxArray, labels: IdxArray, classNames?: string[]): ImageDataset {
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new RangeError(`datasetFromIdx: 'images' must be [N, H, W] or [N, H, W, C], got [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1) throw new RangeError(`datasetFromIdx: 'labels' must be [N], got [${labels.dims.join(', ')}]`);
  const [n, h, w, c = 1] = images.dims;
  if (labels.dims[0] !== n) {
    throw new RangeError(`datasetFromIdx: ${n} images but ${labels.dims[0]} labels`);
  }
  const pixels = new Float32Array(n * c * h * w);
  const src = images.data;
  if (c === 1) {
    for (let i = 0; i < pixels.length; i++) pixels[i] = Number(src[i]) / 255;
  } else {
    // IDX colour images are channels-last; onnxkit datasets are NCHW.
    for (let k = 0; k < n; k++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let ch = 0; ch < c; ch++)
            pixels[((k * c + ch) * h + y) * w + x] = Number(src[((k * h + y) * w + x) * c + ch]) / 255;
  }
  const labelValues = Int32Array.from(labels.data as ArrayLike<number>);
  let classes = 0;
  for (const l of labelValues) {
    if (l < 0) throw new RangeError(`datasetFromIdx: negative label ${l}`);
    classes = Math.max(classes, l + 1);
  }
  if (classNames) classes = Math.max(classes, classNames.length);
  return { images: pixels, labels: labelValues, count: n, shape: [c, h, w], classes, ...(classNames ? { classNames } : {}) };
}

/** The dataset restricted to the given example indices (copied, in that order). */
export function selectExamples(ds: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const size = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    if (!(k >= 0 && k < ds.count)) throw new RangeError(`selectExamples: index ${k} is outside 0..${ds.count - 1}`);
    images.set(ds.images.subarray(k * size, (k + 1) * size), i * size);
    labels[i] = ds.labels[k];
  }
  return { ...ds, images, labels, count: indices.length };
}

/** A permutation of 0..n-1 drawn with `rng` (Fisher–Yates). */
export function permutation(n: number, rng: RandomSource): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * Splits off `holdout` examples (a count, or a fraction when < 1) for validation, after a seeded
 * shuffle. Returns `{ train, validation }`.
 */
export function splitDataset(ds: ImageDataset, holdout: number, rng: RandomSource): { train: ImageDataset; validation: ImageDataset } {
  const n = holdout < 1 ? Math.round(ds.count * holdout) : holdout;
  if (!Number.isInteger(n) || n < 0 || n >= ds.count) {
    throw new RangeError(`splitDataset: 'holdout' must leave training examples: got ${holdout} of ${ds.count}`);
  }
  const order = permutation(ds.count, rng);
  return { validation: selectExamples(ds, order.subarray(0, n)), train: selectExamples(ds, order.subarray(n)) };
}

/** Takes up to `perClass` examples of each class (seeded choice), e.g. for few-shot fine-tuning. */
export function takePerClass(ds: ImageDataset, perClass: number, rng: RandomSource): ImageDataset {
  if (!Number.isInteger(perClass) || perClass < 1) throw new RangeError(`takePerClass: 'perClass' must be a positive integer, got ${perClass}`);
  const order = permutation(ds.count, rng);
  const taken = new Array<number>(ds.classes).fill(0);
  const chosen: number[] = [];
  for (const k of order) {
    const l = ds.labels[k];
    if (taken[l] < perClass) {
      taken[l]++;
      chosen.push(k);
    }
  }
  return selectExamples(ds, chosen);
}

/** Class indices → float32 one-hot rows [N, classes] (the artifacts' `labels` input). */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!(Number.isInteger(l) && l >= 0 && l < classes)) {
      throw new RangeError(`oneHot: label ${l} at index ${i} is outside 0..${classes - 1}`);
    }
    out[i * classes + l] = 1;
  }
  return out;
}

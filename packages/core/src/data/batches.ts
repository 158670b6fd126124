import { permutation, type ImageDataset, type RandomSource } from './dataset.js';

/** One mini-batch: `count` images [count, C, H, W] and their class indices. */
export interface Batch {
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Examples per batch. */
  batchSize: number;
  /** Shuffle with this generator; omit for the dataset's order. @defaultValue undefined */
  rng?: RandomSource;
  /** Drop a last batch smaller than `batchSize`. @defaultValue false */
  dropLast?: boolean;
  /** Applied to each batch's images in place (e.g. augmentation). @defaultValue undefined */
  transform?: (images: Float32Array, count: number) => void;
}

/** Iterates over the dataset in mini-batches (copies; the dataset is not changed). */
export function* batches(ds: ImageDataset, options: BatchOptions): Generator<Batch> {
  const { batchSize, rng, dropLast = false, transform } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batches: 'batchSize' must be a positive integer, got ${batchSize}`);
  }
  const order = rng ? permutation(ds.count, rng) : Int32Array.from({ length: ds.count }, (_, i) => i);
  const size = ds.shape[0] * ds.shape[1] * ds.shape[2];
  for (let start = 0; start < ds.count; start += batchSize) {
    const count = Math.min(batchSize, ds.count - start);
    if (count < batchSize && dropLast) return;
    const images = new Float32Array(count * size);
    const labels = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const k = order[start + i];
      images.set(ds.images.subarray(k * size, (k + 1) * size), i * size);
      labels[i] = ds.labels[k];
    }
    transform?.(images, count);
    yield { images, labels, count };
  }
}

/** Number of batches {@link batches} yields. */
export function batchCount(examples: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(examples / batchSize) : Math.ceil(examples / batchSize);
}

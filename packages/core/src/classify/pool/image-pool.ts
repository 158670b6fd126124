import type { ImageDecodeOptions, ImageInput } from '../image/decoder-registry.js';
import type { PreprocessingSpec } from '../metadata/preprocessing-spec.js';

/**
 * Decodes and preprocesses images somewhere other than the calling thread (in Node, `createImagePool`
 * runs them in worker threads). A classifier given one sends each image to it and only batches the
 * returned rows and runs the model, so decoding, the costly part for photos, uses every core.
 */
export interface ImagePool {
  /**
   * One image as the model sees it: a new row of `valuesPerImage(spec)` values. Rejects with the image's
   * `ImageError` when it cannot be read, decoded or preprocessed.
   */
  preprocess(image: ImageInput, spec: PreprocessingSpec, options: ImageDecodeOptions): Promise<Float32Array>;
  /** Images to keep in flight so that every worker stays busy (the classifier's default concurrency). */
  readonly concurrency: number;
}

/** Throws a TypeError naming `where` unless `pool` looks like an {@link ImagePool}. */
export function checkImagePool(pool: unknown, where: string): ImagePool {
  const p = pool as ImagePool | null;
  if (p === null || typeof p !== 'object' || typeof p.preprocess !== 'function') {
    throw new TypeError(`${where}: 'pool' must be an ImagePool (an object with preprocess(image, spec, options)), got ${p === null ? 'null' : typeof p}`);
  }
  if (!Number.isInteger(p.concurrency) || p.concurrency < 1) {
    throw new RangeError(`${where}: 'pool.concurrency' must be a positive integer, got ${String(p.concurrency)}`);
  }
  return p;
}

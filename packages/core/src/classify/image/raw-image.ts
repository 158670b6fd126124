import { ImageError } from './image-error.js';

/**
 * Decoded pixels: `height` rows of `width` pixels, each `channels` 8-bit values, row-major and
 * interleaved — 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (alpha not premultiplied). What platform decoders
 * return and what preprocessing takes; pass one directly to skip decoding.
 */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** Default of the `maxPixels` limits: 50 megapixels (a large camera photo; a 7,100 x 7,100 scan). */
export const DEFAULT_MAX_PIXELS = 50_000_000;

/** True when `value` has the shape of a {@link RawImage} (not checked for consistency). */
export function isRawImage(value: unknown): value is RawImage {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<RawImage>;
  return (
    typeof v.width === 'number' &&
    typeof v.height === 'number' &&
    typeof v.channels === 'number' &&
    (v.data instanceof Uint8Array || v.data instanceof Uint8ClampedArray)
  );
}

/**
 * Checks a raw image: whole-number sizes, 1..4 channels, data length = width·height·channels, at least one
 * pixel and at most `maxPixels`. Throws an {@link ImageError} naming `source`.
 */
export function checkRawImage(image: RawImage, source: string, maxPixels = DEFAULT_MAX_PIXELS): RawImage {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new ImageError('unsupported-input', source, `width and height must be non-negative integers, got ${width}x${height}`);
  }
  if (![1, 2, 3, 4].includes(channels)) {
    throw new ImageError('unsupported-input', source, `channels must be 1, 2, 3 or 4, got ${channels}`);
  }
  checkPixelCount(width, height, source, maxPixels);
  if (data.length !== width * height * channels) {
    throw new ImageError(
      'unsupported-input',
      source,
      `data has ${data.length} values, but ${width}x${height} with ${channels} channels needs ${width * height * channels}`,
    );
  }
  return image;
}

/** Throws an {@link ImageError} for an image with no pixels or more than `maxPixels` (decoders call it before decoding). */
export function checkPixelCount(width: number, height: number, source: string, maxPixels = DEFAULT_MAX_PIXELS): void {
  if (width === 0 || height === 0) throw new ImageError('empty', source, `the image is empty (${width}x${height} pixels)`);
  if (width * height > maxPixels) {
    throw new ImageError(
      'too-large',
      source,
      `the image is ${width}x${height} = ${(width * height).toLocaleString('en-US')} pixels, over the limit of ` +
        `${maxPixels.toLocaleString('en-US')} (raise maxPixels to allow it)`,
    );
  }
}

/** A short description of an image value for messages: its path/URL, or its kind and size. */
export function describeImage(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (isRawImage(value)) return `raw image ${value.width}x${value.height}x${value.channels}`;
  if (value instanceof Uint8Array) return `${Object.prototype.toString.call(value).slice(8, -1)}(${value.byteLength} bytes)`;
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength} bytes)`;
  if (typeof value === 'object') {
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name && name !== 'Object' ? name : tag;
  }
  return typeof value;
}

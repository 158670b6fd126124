import type { RawImage } from '@onnxkit/core';
import sharp from 'sharp';

/** Options of {@link encodeImage}. */
export interface EncodeImageOptions {
  /** Quality of lossy formats, 1..100. @defaultValue sharp's default (80 for JPEG) */
  quality?: number;
}

/** Formats {@link encodeImage} writes. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'avif';

/** Encodes raw pixels (e.g. a preprocessed digit, for a look) as an image file's bytes. */
export async function encodeImage(image: RawImage, format: ImageFormat, options: EncodeImageOptions = {}): Promise<Uint8Array> {
  const q = options.quality;
  if (q !== undefined && !(Number.isInteger(q) && q >= 1 && q <= 100)) {
    throw new RangeError(`encodeImage: quality must be an integer in 1..100, got ${q}`);
  }
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
  // Keep gray images gray (sharp would write them as RGB).
  if (image.channels <= 2) pipeline = pipeline.toColourspace('b-w');
  const withQuality = q === undefined ? {} : { quality: q };
  const buf = await pipeline.toFormat(format, withQuality).toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

import { checkPixelCount, describeImage, ImageError, type ImageDecodeOptions, type ImageDecoder, type ImageInput, type RawImage } from '@onnxkit/core';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { decodePlainPng } from './plain-png.js';
import { imageByteLimit, readImageBytes } from './read-input.js';

/** Formats sharp (libvips) decodes here; anything else is reported as not an image. */
export const NODE_IMAGE_FORMATS: readonly string[] = Object.freeze(['png', 'jpeg', 'webp', 'gif', 'tiff', 'avif', 'heif', 'svg']);

/**
 * Decodes one image with sharp into 8-bit interleaved pixels, honouring EXIF orientation; animated GIF/WebP
 * and multi-page TIFF give their first frame. The size is checked against `maxPixels` from the header,
 * before the pixels are decoded. Small plain 8-bit PNGs (digits, canvas exports) skip libvips: see
 * `decodePlainPng`, which gives the same pixels at a fraction of the cost.
 */
export async function decodeWithSharp(input: ImageInput, options: ImageDecodeOptions): Promise<RawImage> {
  const source = describeImage(input);
  const bytes = await readImageBytes(input, imageByteLimit(options.maxPixels));
  if (bytes.byteLength === 0) throw new ImageError('empty', source, 'the image is empty (0 bytes)');
  const plain = decodePlainPng(bytes, source, options.maxPixels);
  if (plain) return plain;
  // The pixel limit is ours (checked below with a clear message); sharp's would only say "exceeds limit".
  // failOn 'warning': libvips repairs damaged data it only warns about (a truncated JPEG is padded with
  // grey), and a repaired image would be classified as if it were whole.
  const image = sharp(bytes, { limitInputPixels: false, failOn: 'warning', pages: 1 });
  let meta: Metadata;
  try {
    meta = await image.metadata();
  } catch (e) {
    throw new ImageError('not-an-image', source, `not an image (${NODE_IMAGE_FORMATS.join(', ')}): ${firstLine(e)}`, { cause: e });
  }
  checkPixelCount(meta.width ?? 0, meta.pageHeight ?? meta.height ?? 0, source, options.maxPixels);
  let data: Buffer;
  let info: OutputInfo;
  try {
    ({ data, info } = await image
      .rotate() // EXIF orientation, as viewers show the photo
      // 8-bit output either way; 'b-w' keeps gray images one channel but would drop an alpha channel.
      .toColourspace(!meta.hasAlpha && meta.channels !== undefined && meta.channels <= 2 && !isCmyk(meta) ? 'b-w' : 'srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw new ImageError('not-an-image', source, `the ${meta.format ?? 'image'} data is corrupt: ${firstLine(e)}`, { cause: e });
  }
  const channels = info.channels as RawImage['channels'];
  return { width: info.width, height: info.height, channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function isCmyk(meta: Metadata): boolean {
  return meta.space === 'cmyk';
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].trim();
}

/** The Node image decoder (sharp): file paths, `file:` URLs, Buffers, ArrayBuffers and readable streams. */
export const nodeImageDecoder: ImageDecoder = Object.freeze({
  name: `sharp ${sharp.versions.sharp ?? ''}`.trim(),
  decode: decodeWithSharp,
});

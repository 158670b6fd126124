import {
  checkPixelCount,
  describeImage,
  ImageError,
  type ImageDecodeOptions,
  type ImageDecoder,
  type ImageInput,
  type RawImage,
} from '@onnxkit/core';
import { canvasPixels, drawnPixels, imageDataPixels } from './canvas-pixels.js';

const has = (name: string): boolean => typeof (globalThis as Record<string, unknown>)[name] === 'function';

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].trim();
}

/** Decodes encoded bytes (PNG, JPEG, WebP, GIF, AVIF, … whatever the browser reads) without colour management. */
async function blobPixels(blob: Blob, source: string, maxPixels: number): Promise<RawImage> {
  if (blob.size === 0) throw new ImageError('empty', source, 'the image is empty (0 bytes)');
  let bitmap: ImageBitmap;
  try {
    // No colour-space conversion and no premultiplication: the file's own values, as sharp reads them in Node.
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new ImageError('not-an-image', source, `not an image this browser can decode: ${firstLine(e)}`, { cause: e });
  }
  try {
    return drawnPixels(bitmap, bitmap.width, bitmap.height, source, maxPixels);
  } finally {
    bitmap.close();
  }
}

async function fetchBlob(url: string, source: string): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ImageError('unreadable', source, `could not fetch the image: ${firstLine(e)}`, { cause: e });
  }
  if (!response.ok) throw new ImageError('unreadable', source, `could not fetch the image: HTTP ${response.status} ${response.statusText}`);
  return response.blob();
}

/**
 * Decodes one browser image input into RGBA pixels: ImageData, HTMLCanvasElement, OffscreenCanvas,
 * ImageBitmap, HTMLImageElement, Blob/File, a URL string, or encoded bytes (Uint8Array/ArrayBuffer).
 */
export async function decodeInBrowser(input: ImageInput, options: ImageDecodeOptions): Promise<RawImage> {
  const source = describeImage(input);
  const { maxPixels } = options;
  if (has('ImageData') && input instanceof ImageData) {
    checkPixelCount(input.width, input.height, source, maxPixels);
    return imageDataPixels(input);
  }
  if ((has('HTMLCanvasElement') && input instanceof HTMLCanvasElement) || (has('OffscreenCanvas') && input instanceof OffscreenCanvas)) {
    return canvasPixels(input, source, maxPixels);
  }
  if (has('ImageBitmap') && input instanceof ImageBitmap) {
    return drawnPixels(input, input.width, input.height, source, maxPixels);
  }
  if (has('HTMLImageElement') && input instanceof HTMLImageElement) {
    const where = input.currentSrc || input.src || source;
    try {
      await input.decode();
    } catch (e) {
      throw new ImageError('not-an-image', where, `the <img> could not be decoded (${firstLine(e)})`, { cause: e });
    }
    return drawnPixels(input, input.naturalWidth, input.naturalHeight, where, maxPixels);
  }
  if (has('Blob') && input instanceof Blob) return blobPixels(input, source, maxPixels);
  if (typeof input === 'string' || input instanceof URL) return blobPixels(await fetchBlob(String(input), source), source, maxPixels);
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    // Copy into a plain ArrayBuffer: a Blob cannot take a SharedArrayBuffer-backed view.
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input);
    return blobPixels(new Blob([bytes]), source, maxPixels);
  }
  throw new ImageError(
    'unsupported-input',
    source,
    'not an image input browsers can decode: pass ImageData, a canvas, an ImageBitmap, an <img>, a Blob, a URL, bytes, or raw pixels { width, height, channels, data }',
  );
}

/** The browser image decoder (canvas): registered by `@onnxkit/web`. */
export const webImageDecoder: ImageDecoder = Object.freeze({ name: 'canvas', decode: decodeInBrowser });

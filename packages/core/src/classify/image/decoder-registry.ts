import { sharedSlot } from '../../shared-slot.js';
import type { RawImage } from './raw-image.js';

/**
 * Anything a platform decoder may accept: a path or URL, encoded bytes, or a platform object (a Node
 * stream; a browser ImageData, canvas, ImageBitmap, HTMLImageElement or Blob). A {@link RawImage} needs no
 * decoder.
 */
export type ImageInput = RawImage | string | Uint8Array | ArrayBuffer | object;

/** Options every decoder honours. */
export interface ImageDecodeOptions {
  /** Refuse images with more pixels than this, before decoding them. */
  readonly maxPixels: number;
}

/**
 * Turns platform image inputs into {@link RawImage}s; it only decodes (no resizing or colour changes).
 * `@onnxkit/node` (sharp) and `@onnxkit/web` (canvas) register one. Failures must be `ImageError`s.
 */
export interface ImageDecoder {
  /** Human-readable name, e.g. `'sharp 0.35.5'`. */
  readonly name: string;
  /** Decodes one image. */
  decode(input: ImageInput, options: ImageDecodeOptions): Promise<RawImage>;
}

// One decoder registry per process, like the runtime registry.
const registry = sharedSlot<{ current?: ImageDecoder }>('image-decoder-registry', () => ({}));

/**
 * Makes `decoder` the one classifiers use for non-raw images; registering again replaces it (last wins),
 * the way runtimes register.
 */
export function registerImageDecoder(decoder: ImageDecoder): void {
  if (decoder === null || typeof decoder !== 'object' || typeof decoder.decode !== 'function') {
    throw new TypeError('registerImageDecoder: decoder must be an object with a decode(input, options) method');
  }
  registry.current = decoder;
}

/** The registered decoder; throws naming the packages that register one. */
export function getImageDecoder(): ImageDecoder {
  const current = registry.current;
  if (!current) {
    throw new Error(
      "no image decoder registered: import '@onnxkit/node' (Node) or '@onnxkit/web' (browsers), or pass raw pixels ({ width, height, channels, data })",
    );
  }
  return current;
}

/** True once a decoder is registered. */
export function hasImageDecoder(): boolean {
  return registry.current !== undefined;
}

import { brandClass } from '../../shared-slot.js';
/** Why one image could not be classified. */
export type ImageErrorCode =
  /** The file/URL/stream could not be read (missing, no permission, HTTP error). */
  | 'unreadable'
  /** The bytes are not an image format the decoder knows, or are corrupt. */
  | 'not-an-image'
  /** The image has no pixels (0 width or height), or is one flat colour with no ink. */
  | 'empty'
  /** More pixels than the `maxPixels` limit. */
  | 'too-large'
  /** A value the decoder cannot take (wrong kind of object). */
  | 'unsupported-input'
  /** The model has no preprocessing spec and none was given. */
  | 'no-preprocessing';

/**
 * An image that could not be decoded or preprocessed. In a batch it is reported for that image only;
 * `code` tells the cases apart and `source` names the image (its path, URL or kind).
 */
export class ImageError extends Error {
  /** Machine-readable reason. */
  readonly code: ImageErrorCode;
  /** The image as the caller gave it: a path, URL, or a short description such as `'Uint8Array(512 bytes)'`. */
  readonly source: string;

  constructor(code: ImageErrorCode, source: string, message: string, options?: { cause?: unknown }) {
    super(`${source}: ${message}`, options);
    this.name = 'ImageError';
    this.code = code;
    this.source = source;
  }
}
// `instanceof ImageError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(ImageError, 'ImageError');

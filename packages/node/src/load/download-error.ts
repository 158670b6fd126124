import { brandClass } from '@onnxkit/core';

/** Why a {@link ModelDownloadError} was thrown. */
export type ModelDownloadErrorCode = 'network' | 'http-status' | 'too-large' | 'integrity';

/**
 * Thrown when a model URL cannot be downloaded: the server is unreachable (`'network'`), answers other
 * than 2xx (`'http-status'`), sends more than the size limit (`'too-large'`), or sends bytes whose SHA-256
 * is not the `integrity` asked for (`'integrity'`). An abort rejects with the signal's reason instead.
 */
export class ModelDownloadError extends Error {
  /** Machine-readable reason. */
  readonly code: ModelDownloadErrorCode;
  /** The URL as given. */
  readonly url: string;

  constructor(code: ModelDownloadErrorCode, url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelDownloadError';
    this.code = code;
    this.url = url;
  }
}
// `instanceof ModelDownloadError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(ModelDownloadError, 'node.ModelDownloadError');

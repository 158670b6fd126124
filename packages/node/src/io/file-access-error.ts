import { brandClass } from '@onnxkit/core';
/** Why {@link FileAccessError} refused a file. */
export type FileAccessErrorCode = 'not-found' | 'not-a-file' | 'outside-folder' | 'too-large' | 'unreadable';

/**
 * Thrown when a file named by a caller or by another file (an external-data location, a weight shard)
 * cannot be read safely: missing, not a regular file (a FIFO, a device, a directory, a socket), reached
 * through a symbolic link out of its folder, or over its size limit. `path` is the path as given.
 */
export class FileAccessError extends Error {
  /** Machine-readable reason. */
  readonly code: FileAccessErrorCode;
  /** The path as given. */
  readonly path: string;
  /** The reason alone, without the path (e.g. `'no such file'`), for callers that name the file themselves. */
  readonly reason: string;

  constructor(code: FileAccessErrorCode, path: string, message: string, reason: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileAccessError';
    this.code = code;
    this.path = path;
    this.reason = reason;
  }
}
// `instanceof FileAccessError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(FileAccessError, 'node.FileAccessError');

import { brandClass } from '../../shared-slot.js';
/** Why a checkpoint could not be read. */
export type CheckpointErrorCode = 'bad-magic' | 'unsupported-version' | 'truncated' | 'corrupt';

/** Thrown by `decodeCheckpoint` for bytes that are not a readable onnxkit checkpoint. */
export class CheckpointFormatError extends Error {
  /** Machine-readable reason. */
  readonly code: CheckpointErrorCode;

  constructor(code: CheckpointErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointFormatError';
    this.code = code;
  }
}
// `instanceof CheckpointFormatError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(CheckpointFormatError, 'CheckpointFormatError');

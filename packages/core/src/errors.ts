import { brandClass } from './shared-slot.js';
/**
 * Thrown when bytes are not a usable ONNX model: not a protobuf, truncated, an unsupported IR version,
 * a dangling node input, a missing opset import or a duplicate name. `code` tells the case apart.
 */
export class ModelFormatError extends Error {
  /** Machine-readable reason, e.g. `'not-protobuf'`, `'truncated'`, `'dangling-input'`. */
  readonly code: ModelFormatErrorCode;

  constructor(code: ModelFormatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelFormatError';
    this.code = code;
  }
}
// `instanceof ModelFormatError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(ModelFormatError, 'ModelFormatError');

/** Reasons a {@link ModelFormatError} can carry. */
export type ModelFormatErrorCode =
  | 'not-protobuf'
  | 'truncated'
  | 'empty'
  | 'unsupported-ir-version'
  | 'dangling-input'
  | 'missing-opset'
  | 'duplicate-name'
  | 'external-data'
  | 'invalid';

/**
 * Thrown when a data file's bytes are not what its format says: an IDX array, a `.npy` or JSON tensor.
 * `code` tells the case apart; the message names the file.
 */
export class DataFormatError extends Error {
  /** Machine-readable reason. */
  readonly code: DataFormatErrorCode;

  constructor(code: DataFormatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataFormatError';
    this.code = code;
  }
}
// `instanceof DataFormatError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(DataFormatError, 'DataFormatError');

/** Reasons a {@link DataFormatError} can carry. */
export type DataFormatErrorCode =
  /** Not this format at all (wrong magic, not JSON). */
  | 'wrong-format'
  /** Cut off before the data its header promises. */
  | 'truncated'
  /** Bigger than a limit (e.g. a `.gz` that inflates past its cap). */
  | 'too-large'
  /** An element type the reader does not handle. */
  | 'unsupported-dtype'
  /** Inconsistent: bad dims, ragged nesting, a value that does not fit its type, a corrupt gzip stream. */
  | 'invalid';

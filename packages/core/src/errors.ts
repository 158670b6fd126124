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

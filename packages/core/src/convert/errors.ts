import { brandClass } from '../shared-slot.js';
/**
 * Thrown when a Keras or TF.js model cannot be converted: the file is corrupt or hostile, its weights
 * disagree with its topology, or it uses a layer onnxkit does not convert. `code` tells the case apart.
 */
export class ConvertError extends Error {
  /** Machine-readable reason, e.g. `'unsupported-layer'`, `'truncated'`, `'weight-mismatch'`. */
  readonly code: ConvertErrorCode;

  constructor(code: ConvertErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConvertError';
    this.code = code;
  }
}
// `instanceof ConvertError` holds across copies of the package (CJS and ESM builds in one process).
brandClass(ConvertError, 'ConvertError');

/** Reasons a {@link ConvertError} can carry. */
export type ConvertErrorCode =
  /** Not a format onnxkit converts (e.g. an ONNX file, a weights-only file as the model). */
  | 'unsupported-format'
  /** A layer class onnxkit has no converter for (Lambda, custom layers) or an unsupported setting. */
  | 'unsupported-layer'
  /** TensorFlow ops of a TF.js graph model that onnxkit has no converter for (all listed, with counts), or an unsupported attribute. */
  | 'unsupported-op'
  /** The bytes end before the structure they describe does. */
  | 'truncated'
  /** Unreadable bytes or an inconsistent structure. */
  | 'corrupt'
  /** A zip entry or weight-shard path that would leave its folder. */
  | 'unsafe-path'
  /** The model configuration is malformed (a missing field, a dangling layer reference). */
  | 'invalid-config'
  /** A weight whose count or shape disagrees with what the topology implies. */
  | 'weight-mismatch'
  /** Weights the topology needs are absent (no weights file, a missing layer group or shard). */
  | 'missing-weights';

import type { SessionOptions } from '../../runtime/session-options.js';
import type { ImageDecoder } from '../image/decoder-registry.js';
import type { ImagePool } from '../pool/image-pool.js';
import type { PreprocessingOption } from '../metadata/resolve-spec.js';
import type { ScoreKind } from './scores.js';

/** Options of {@link Classifier.load}: where to run (every session option) plus how to read images and scores. */
export interface ClassifierOptions extends SessionOptions {
  /** Class labels, index = class. @defaultValue the model's `onnxkit.labels` or card labels, else `'0'`, `'1'`, … */
  labels?: readonly string[];
  /**
   * How images become input tensors: a preset (`'mnist'`, `'resize'`), a partial spec completed from the
   * model's input shape, or a full spec. @defaultValue the model's `onnxkit.preprocessing` metadata
   */
  preprocessing?: PreprocessingOption;
  /** Images per inference call. @defaultValue 64 (the model's batch size when it is fixed) */
  batchSize?: number;
  /** Model input that takes the images. @defaultValue the model's only input */
  input?: string;
  /** Model output holding the class scores. @defaultValue the model's first output */
  output?: string;
  /** How to read the output. @defaultValue `'auto'` (softmax unless a row already sums to 1 in 0..1) */
  scores?: ScoreKind;
  /** Images with more pixels are refused (per image) before decoding. @defaultValue 50,000,000 */
  maxPixels?: number;
  /** Decoder of non-raw images. @defaultValue the registered one (`@onnxkit/node`: sharp; `@onnxkit/web`: canvas) */
  decoder?: ImageDecoder;
  /** Images decoded at once. @defaultValue the pool's `concurrency`, else 4 */
  concurrency?: number;
  /**
   * Where images are decoded and preprocessed: a worker pool (`createImagePool` in `@onnxkit/node`) uses
   * every core; the classifier then only batches rows and runs the model, on one ONNX Runtime intra-op
   * thread that does not spin-wait (`intraOpNumThreads: 1`, `session.intra_op.allow_spinning: '0'` unless
   * given), so that ORT's threads leave the cores to the workers. @defaultValue the calling thread
   */
  pool?: ImagePool;
}

/** Options of {@link Classifier.classify}. */
export interface ClassifyOptions {
  /** How many classes each result lists in `top`, best first. @defaultValue 1 */
  topK?: number;
}

/** Options of {@link Classifier.classify} on an async iterable of images. */
export interface ClassifyStreamOptions extends ClassifyOptions {
  /** Images decoded and preprocessed at once. @defaultValue the classifier's `concurrency` */
  concurrency?: number;
}

/** Throws a TypeError/RangeError naming the option when a positive-integer option is wrong. */
export function positiveInt(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${where}: '${name}' must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${where}: '${name}' must be a positive integer, got ${value}`);
  return value;
}

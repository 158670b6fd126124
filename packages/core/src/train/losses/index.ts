import type { GraphBuilder } from '../../onnx/builder.js';
import { appendCrossEntropy, type CrossEntropyOptions } from './cross-entropy.js';
import { appendMse } from './mse.js';
import type { LossGraph } from './loss-graph.js';

/** The losses artifacts can train with. */
export type LossKind = 'cross-entropy' | 'mse';

/** Appends the loss of `kind` (see {@link appendCrossEntropy}, {@link appendMse}). */
export function appendLoss(b: GraphBuilder, kind: LossKind, options: CrossEntropyOptions): LossGraph {
  if (kind === 'cross-entropy') return appendCrossEntropy(b, options);
  if (kind === 'mse') return appendMse(b, options);
  throw new RangeError(`loss: expected 'cross-entropy' or 'mse', got '${String(kind)}'`);
}

export { appendCrossEntropy, appendMse, type CrossEntropyOptions };
export type { MseOptions } from './mse.js';
export type { LossGraph, LossBaseOptions } from './loss-graph.js';

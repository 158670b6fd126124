import type { GraphBuilder } from '../../onnx/builder.js';
import { onesLike, reciprocalCount, reduce, scalar, staticCount, type LossBaseOptions, type LossGraph } from './loss-graph.js';

/** Options of {@link appendMse}. */
export type MseOptions = LossBaseOptions;

/** Appends the mean squared error over all elements (PyTorch `MSELoss()`, reduction 'mean'). */
export function appendMse(b: GraphBuilder, options: MseOptions): LossGraph {
  const diff = b.op('Sub', [options.prediction, options.labels]);
  const loss = reduce(b, 'ReduceMean', b.op('Mul', [diff, diff]), undefined, false, options.output ?? 'loss');
  if (!options.gradient) return { loss };
  // d loss / d prediction = 2·(prediction − labels) / elements.
  const invCount = reciprocalCount(b, onesLike(b, diff), staticCount(options.shape), 'inv_count', (o) =>
    reduce(b, 'ReduceSum', o, undefined, false),
  );
  return { loss, gradient: b.op('Mul', [b.op('Mul', [diff, scalar(b, 'two', 2)]), invCount]) };
}

import type { GraphBuilder } from '../../onnx/builder.js';
import { onesLike, reciprocalCount, reduce, scalar, staticCount, type LossBaseOptions, type LossGraph } from './loss-graph.js';

/** Options of {@link appendCrossEntropy}. */
export interface CrossEntropyOptions extends LossBaseOptions {
  /** Class axis of the logits (negative counts from the end; needs a known rank). @defaultValue 1 */
  axis?: number;
  /**
   * Label smoothing ε in [0, 1): the target becomes (1 − ε)·labels + ε/C, as in PyTorch's
   * `CrossEntropyLoss(label_smoothing=ε)`. @defaultValue 0
   */
  labelSmoothing?: number;
}

/**
 * Appends softmax cross-entropy from logits, averaged over every position but the class axis (the
 * batch, and spatial positions for [N, C, d…] logits), like ONNX `SoftmaxCrossEntropyLoss` with
 * reduction 'mean' and PyTorch `CrossEntropyLoss` with probability targets.
 *
 * log-softmax is written `s − log(Σ exp s)` with `s = x − max x`: the LogSoftmax, OneHot and
 * SoftmaxCrossEntropyLoss operators do not run on WebGPU.
 */
export function appendCrossEntropy(b: GraphBuilder, options: CrossEntropyOptions): LossGraph {
  const { prediction: x, labels, shape } = options;
  const eps = options.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps < 1)) {
    throw new RangeError(`cross-entropy: 'labelSmoothing' must be in [0, 1), got ${eps}`);
  }
  const axis = classAxis(options.axis ?? 1, shape?.length);

  const shifted = b.op('Sub', [x, reduce(b, 'ReduceMax', x, [axis], true)]);
  const exp = b.op('Exp', [shifted]);
  const sumExp = reduce(b, 'ReduceSum', exp, [axis], true);
  const logp = b.op('Sub', [shifted, b.op('Log', [sumExp])]);
  // Per position: Σ_c t_c·logp_c with t = (1 − ε)·y + ε/C, i.e. (1 − ε)·Σ y·logp + ε·mean_c logp.
  let perRow = reduce(b, 'ReduceSum', b.op('Mul', [labels, logp]), [axis], false);
  if (eps > 0) {
    perRow = b.op('Add', [
      b.op('Mul', [perRow, scalar(b, 'one_minus_smoothing', 1 - eps)]),
      b.op('Mul', [reduce(b, 'ReduceMean', logp, [axis], false), scalar(b, 'smoothing', eps)]),
    ]);
  }
  const loss = b.op('Neg', [reduce(b, 'ReduceMean', perRow, undefined, false)], {}, { output: options.output ?? 'loss' });
  if (!options.gradient) return { loss };

  // d loss / d x = (softmax·Σ_c t_c − t) / rows.
  const ones = onesLike(b, shifted);
  let target = labels;
  if (eps > 0) {
    const invClasses = reciprocalCount(b, ones, staticCount(shape, [axis]), 'inv_classes', (o) =>
      reduce(b, 'ReduceSum', o, [axis], true),
    );
    target = b.op('Add', [
      b.op('Mul', [labels, scalar(b, 'one_minus_smoothing', 1 - eps)]),
      b.op('Mul', [invClasses, scalar(b, 'smoothing', eps)]),
    ]);
  }
  const softmax = b.op('Div', [exp, sumExp]);
  const diff = b.op('Sub', [b.op('Mul', [softmax, reduce(b, 'ReduceSum', target, [axis], true)]), target]);
  const rowAxes = shape ? shape.map((_, i) => i).filter((i) => i !== axis) : undefined;
  const invRows = reciprocalCount(b, ones, rowAxes && staticCount(shape, rowAxes), 'inv_rows', (o) =>
    reduce(b, 'ReduceSum', reduce(b, 'ReduceMax', o, [axis], false), undefined, false),
  );
  return { loss, gradient: b.op('Mul', [diff, invRows]) };
}

function classAxis(axis: number, rank: number | undefined): number {
  if (!Number.isInteger(axis)) throw new RangeError(`cross-entropy: 'axis' must be an integer, got ${axis}`);
  if (axis >= 0) {
    if (rank !== undefined && axis >= rank) throw new RangeError(`cross-entropy: 'axis' ${axis} is out of range for rank ${rank}`);
    return axis;
  }
  if (rank === undefined) throw new RangeError(`cross-entropy: a negative 'axis' (${axis}) needs the logits' rank`);
  if (axis < -rank) throw new RangeError(`cross-entropy: 'axis' ${axis} is out of range for rank ${rank}`);
  return axis + rank;
}

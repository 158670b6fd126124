import { stringAttr } from '../../attributes.js';
import type { Dim } from '../../ir.js';
import { sameAsInput, type InferredTensor, type ShapeContext, type ShapeRule } from '../context.js';
import { formatShape } from '../dims.js';

/** Per-element loss shape: the scores' shape without the class dim C (dim 1). */
function lossShape(ctx: ShapeContext): Dim[] | undefined {
  const scores = ctx.shape(0);
  const labels = ctx.shape(1);
  if (scores && scores.length < 2) ctx.fail(`scores must be [N, C, …], got ${formatShape(scores)}`);
  if (scores && labels && labels.length !== scores.length - 1) {
    ctx.fail(`labels ${formatShape(labels)} must have rank ${scores.length - 1} for scores ${formatShape(scores)}`);
  }
  if (stringAttr(ctx.node, 'reduction', 'mean') !== 'none') return [];
  return scores ? [scores[0], ...scores.slice(2)] : labels;
}

/** NegativeLogLikelihoodLoss: [N, d1…] with reduction 'none', else a scalar. */
export const nllLoss: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  return [dtype && { dtype, shape: lossShape(ctx) }];
};

/** SoftmaxCrossEntropyLoss: the loss as NLL; the optional log_prob output is shaped like the scores. */
export const softmaxCrossEntropyLoss: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const loss: InferredTensor | undefined = dtype && { dtype, shape: lossShape(ctx) };
  return [loss, sameAsInput(ctx)];
};

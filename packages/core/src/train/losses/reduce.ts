import type { GraphBuilder } from '../../onnx/builder.js';

/** Reductions the losses emit. */
export type ReduceOp = 'ReduceSum' | 'ReduceMean' | 'ReduceMax';

/**
 * Emits a reduction in the form the builder's opset wants: ReduceSum takes `axes` as an input from
 * opset 13, the other reductions from opset 18; before that `axes` is an attribute. `axes`
 * undefined reduces every axis.
 */
export function reduce(
  b: GraphBuilder,
  op: ReduceOp,
  x: string,
  axes: number[] | undefined,
  keepdims: boolean,
  output?: string,
): string {
  const axesAsInput = op === 'ReduceSum' ? b.opset >= 13 : b.opset >= 18;
  const keep = keepdims ? 1 : 0;
  const opts = output ? { output } : {};
  if (!axes) return b.op(op, [x], { keepdims: keep }, opts);
  if (axesAsInput) {
    return b.op(op, [x, b.constant(`${op.toLowerCase()}_axes`, 'int64', [axes.length], axes)], { keepdims: keep }, opts);
  }
  return b.op(op, [x], { axes, keepdims: keep }, opts);
}

/** A float32 scalar constant. */
export function scalar(b: GraphBuilder, hint: string, value: number): string {
  return b.constant(hint, 'float32', [], [value]);
}

import type { GraphBuilder } from '../../onnx/builder.js';
import type { Dim } from '../../onnx/ir.js';
import { reduce, scalar } from './reduce.js';

/** What a loss appends to a graph. */
export interface LossGraph {
  /** The scalar float32 loss value. */
  loss: string;
  /**
   * d loss / d prediction, same shape as the prediction, when asked for. Losses give their own
   * gradient so the backward pass starts from a closed form (softmax − target) instead of
   * differentiating max/exp/log, which is both cheaper and numerically stable.
   */
  gradient?: string;
}

/** Options every loss takes. */
export interface LossBaseOptions {
  /** The prediction value (logits for cross-entropy). */
  prediction: string;
  /** The float32 target value, same shape as the prediction. */
  labels: string;
  /** The prediction's shape when known; static sizes save runtime counting. */
  shape?: readonly Dim[];
  /** Also emit d loss / d prediction. @defaultValue false */
  gradient?: boolean;
  /** Name of the loss value. @defaultValue 'loss' */
  output?: string;
}

/** Product of `shape`'s sizes on `axes` (all axes when undefined), or undefined if one is not static. */
export function staticCount(shape: readonly Dim[] | undefined, axes?: readonly number[]): number | undefined {
  if (!shape) return undefined;
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    if (axes && !axes.includes(i)) continue;
    const d = shape[i];
    if (typeof d !== 'number' || d <= 0) return undefined;
    n *= d;
  }
  return n;
}

/**
 * 1 / count as a float32 value: a constant when the count is static, else `Reciprocal(count(ones))`
 * with `ones` a tensor of ones shaped like the prediction. Counting ones avoids Shape → Cast
 * (int64 → float is not WebGPU-portable).
 */
export function reciprocalCount(
  b: GraphBuilder,
  ones: () => string,
  staticValue: number | undefined,
  hint: string,
  count: (ones: string) => string,
): string {
  if (staticValue !== undefined) return scalar(b, hint, 1 / staticValue);
  return b.op('Reciprocal', [count(ones())]);
}

/** A lazily made tensor of ones shaped like `like` (its elements must be finite). */
export function onesLike(b: GraphBuilder, like: string): () => string {
  let ones: string | undefined;
  return () => (ones ??= b.op('Add', [b.op('Mul', [like, scalar(b, 'zero', 0)]), scalar(b, 'one', 1)]));
}

export { reduce, scalar };

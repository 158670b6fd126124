/** One class with its probability. */
export interface Prediction {
  /** The class label (from the model's metadata, the `labels` option, or the class index as text). */
  readonly label: string;
  /** Class index in the model's output. */
  readonly index: number;
  /** Probability in 0..1. */
  readonly probability: number;
}

/** How to read the model's output: as probabilities, as logits (softmax applied), or per row by its values. */
export type ScoreKind = 'probabilities' | 'logits' | 'auto';

/**
 * Probabilities of one output row (`scores[offset … offset+classes)`): with `'auto'` a row already in 0..1
 * that sums to 1 (within 1e-3) is taken as is, anything else goes through a softmax.
 */
export function rowProbabilities(scores: ArrayLike<number>, offset: number, classes: number, kind: ScoreKind): Float64Array {
  const p = new Float64Array(classes);
  let sum = 0;
  let inUnit = true;
  let max = -Infinity;
  for (let j = 0; j < classes; j++) {
    const v = scores[offset + j];
    p[j] = v;
    sum += v;
    if (!(v >= 0 && v <= 1)) inUnit = false;
    if (v > max) max = v;
  }
  const isProbability = kind === 'probabilities' || (kind === 'auto' && inUnit && Math.abs(sum - 1) < 1e-3);
  if (isProbability) return p;
  let total = 0;
  for (let j = 0; j < classes; j++) {
    p[j] = Math.exp(p[j] - max);
    total += p[j];
  }
  for (let j = 0; j < classes; j++) p[j] /= total;
  return p;
}

/** The `k` most probable classes, best first (the lower index wins ties). */
export function topK(probabilities: ArrayLike<number>, k: number, labels: readonly string[]): Prediction[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i);
  order.sort((a, b) => probabilities[b] - probabilities[a] || a - b);
  return order.slice(0, Math.min(k, order.length)).map((index) => ({ label: labels[index], index, probability: probabilities[index] }));
}

import type { Random } from '../data/random.js';

/**
 * Fan-in and fan-out of a weight in ONNX/PyTorch layout: `[out, in]` for a dense (Gemm, transB=1)
 * weight, `[out, in, ...kernel]` for a convolution — the numbers Keras gets from its own layouts.
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new RangeError(`fans: a weight needs rank >= 2, got shape [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/**
 * Glorot (Xavier) uniform initialisation, as Keras' default kernel initializer: U(-l, l) with
 * l = sqrt(6 / (fanIn + fanOut)). Same distribution as Keras, not the same numbers (other generator).
 */
export function glorotUniform(shape: readonly number[], rng: Random): Float32Array {
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  return rng.fillUniform(out, -limit, limit);
}

/**
 * The counter hash of scripts/fixtures/torchvision_reference.py, platform-free (the browser tests load
 * the references with fetch): weights, inputs and sample positions of the torchvision references.
 */

import { makeTensor, type Model } from '../../core/src/onnx/index.js';

const GOLDEN = 0x9e3779b9;

/** lowbias32 integer mixer (as the generator's numpy version). */
function hash32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Counter `i` of a tensor's stream, offset by seed·GOLDEN mod 2³². */
const counter = (i: number, seed: number, start = 0) => (i + start + Math.imul(seed, GOLDEN)) >>> 0;

/** The generator's hashed float32 values (bit-identical: the float64 arithmetic is the same). */
export function hashedValues(n: number, seed: number, offset: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = offset + scale * ((2 * hash32(counter(i, seed))) / 2 ** 32 - 1);
  return out;
}

/** The generator's stratified sample positions of a tensor of `n` elements (`samples` of them at most). */
export function samplePositions(n: number, seed: number, samples: number): Int32Array {
  if (n <= samples) return Int32Array.from({ length: n }, (_, i) => i);
  const width = Math.floor(n / samples);
  return Int32Array.from({ length: samples }, (_, k) => Math.floor((k * n) / samples) + (hash32(counter(k, seed, 1)) % width));
}

/** The manifest entry of a hashed tensor. */
export interface HashedTensorSpec {
  name: string;
  shape: number[];
  seed: number;
  offset: number;
  scale: number;
}

/** `model` (an export with empty initializers) with every manifest tensor filled with its hashed values. */
export function withHashedWeights(model: Model, tensors: readonly HashedTensorSpec[]): Model {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  model.graph.initializers = model.graph.initializers.map((init) => {
    const t = byName.get(init.name);
    return t ? makeTensor(init.name, 'float32', t.shape, hashedValues(t.shape.reduce((p, d) => p * d, 1), t.seed, t.offset, t.scale)) : init;
  });
  return model;
}

import { Random } from '../data/random.js';
import { ARCHITECTURE_KEY } from '../metadata-keys.js';
import { GraphBuilder } from '../onnx/builder.js';
import type { Model } from '../onnx/ir.js';
import { glorotUniform } from './glorot.js';

/** One learnable tensor of a built-in model: its initializer name and shape. */
export interface SeedCnnParameter {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * The seed CNN's parameters in graph order, named like PyTorch's `state_dict` (`conv1.weight`, …).
 * Conv weights are `[out, in, 3, 3]`; dense weights are `[out, in]` (Gemm with transB=1, PyTorch's
 * Linear layout). 93,322 numbers in all.
 */
export const SEED_CNN_PARAMETERS: readonly SeedCnnParameter[] = Object.freeze(
  [
    { name: 'conv1.weight', shape: [32, 1, 3, 3] },
    { name: 'conv1.bias', shape: [32] },
    { name: 'conv2.weight', shape: [64, 32, 3, 3] },
    { name: 'conv2.bias', shape: [64] },
    { name: 'conv3.weight', shape: [64, 64, 3, 3] },
    { name: 'conv3.bias', shape: [64] },
    { name: 'fc1.weight', shape: [64, 576] },
    { name: 'fc1.bias', shape: [64] },
    { name: 'fc2.weight', shape: [10, 64] },
    { name: 'fc2.bias', shape: [10] },
  ].map((p) => Object.freeze({ name: p.name, shape: Object.freeze(p.shape) })),
);

/** Options of {@link buildSeedCnn}. */
export interface SeedCnnOptions {
  /**
   * What the graph outputs: `'probabilities'` (a final Softmax, output named `probabilities`) or
   * `'logits'` (output named `logits`). Training works on either: cross-entropy trains through the
   * Softmax's input. @defaultValue 'probabilities'
   */
  output?: 'probabilities' | 'logits';
  /** Seed of the Glorot-uniform weight initialisation (biases start at zero). @defaultValue 0 */
  seed?: number;
  /**
   * Given values for some or all parameters, by name (see {@link SEED_CNN_PARAMETERS}); they replace
   * the initialised ones. The arrays are used as they are, not copied. @defaultValue {}
   */
  weights?: Record<string, Float32Array>;
}

/**
 * Builds the seed CNN (docs/ARCHITECTURE.md), onnxkit's digit classifier, as an opset-17 ONNX model:
 * Conv(32, 3x3) → Relu → MaxPool(2x2) → Conv(64, 3x3) → Relu → MaxPool(2x2) → Conv(64, 3x3) → Relu
 * → Flatten → Gemm(64) → Relu → Gemm(10) → Softmax.
 *
 * Input `input`: float32 `['N', 1, 28, 28]`, NCHW, pixels in 0..1 (white digit on black). Output
 * `probabilities` (or `logits`): float32 `['N', 10]`.
 *
 * Flatten works on NCHW, so it orders features channel-major (as PyTorch does), not pixel-major as
 * Keras' NHWC Flatten does: weights are interchangeable with a PyTorch twin of this model, and a Keras
 * model's `fc1` kernel would need its rows permuted.
 *
 * Weights: Glorot-uniform kernels and zero biases, Keras' defaults, drawn from `seed`.
 */
export function buildSeedCnn(options: SeedCnnOptions = {}): Model {
  const output = options.output ?? 'probabilities';
  if (output !== 'probabilities' && output !== 'logits') {
    throw new RangeError(`buildSeedCnn: 'output' must be 'probabilities' or 'logits', got ${String(output)}`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new TypeError(`buildSeedCnn: 'seed' must be an integer, got ${seed}`);
  const values = seedCnnWeights(seed, options.weights ?? {});

  const b = new GraphBuilder({ opset: 17, name: 'seed_cnn' });
  for (const p of SEED_CNN_PARAMETERS) b.initializer(p.name, 'float32', p.shape, values.get(p.name)!);
  let x = b.input('input', 'float32', ['N', 1, 28, 28]);

  const conv = (layer: string, input: string): string => {
    const y = b.op('Conv', [input, `${layer}.weight`, `${layer}.bias`], { kernel_shape: [3, 3] }, { name: layer, output: `${layer}_out` });
    return b.op('Relu', [y], {}, { name: `${layer}_relu`, output: `${layer}_relu_out` });
  };
  const pool = (name: string, input: string): string =>
    b.op('MaxPool', [input], { kernel_shape: [2, 2], strides: [2, 2] }, { name, output: `${name}_out` });
  const dense = (layer: string, input: string, out?: string): string =>
    b.op('Gemm', [input, `${layer}.weight`, `${layer}.bias`], { transB: 1 }, { name: layer, output: out ?? `${layer}_out` });

  x = pool('pool1', conv('conv1', x)); // 26 → 13
  x = pool('pool2', conv('conv2', x)); // 11 → 5
  x = conv('conv3', x); // 3
  x = b.op('Flatten', [x], { axis: 1 }, { name: 'flatten', output: 'flatten_out' }); // 64·3·3 = 576
  x = b.op('Relu', [dense('fc1', x)], {}, { name: 'fc1_relu', output: 'fc1_relu_out' });
  if (output === 'logits') {
    b.output(dense('fc2', x, 'logits'), 'float32', ['N', 10]);
  } else {
    const probs = b.op('Softmax', [dense('fc2', x)], { axis: -1 }, { name: 'softmax', output: 'probabilities' });
    b.output(probs, 'float32', ['N', 10]);
  }
  return b.build({ metadata: { [ARCHITECTURE_KEY]: 'seed-cnn' } });
}

function seedCnnWeights(seed: number, given: Record<string, Float32Array>): Map<string, Float32Array> {
  const specs = new Map(SEED_CNN_PARAMETERS.map((p) => [p.name, p]));
  for (const [name, data] of Object.entries(given)) {
    const spec = specs.get(name);
    if (!spec) throw new RangeError(`buildSeedCnn: 'weights' has an unknown parameter '${name}' (known: ${[...specs.keys()].join(', ')})`);
    if (!(data instanceof Float32Array)) throw new TypeError(`buildSeedCnn: 'weights.${name}' must be a Float32Array`);
    const n = spec.shape.reduce((a, d) => a * d, 1);
    if (data.length !== n) {
      throw new RangeError(`buildSeedCnn: 'weights.${name}' needs ${n} values for shape [${spec.shape.join(', ')}], got ${data.length}`);
    }
  }
  // Draw every kernel even when given, so a parameter's initial value does not depend on which others were given.
  const rng = new Random(seed);
  const out = new Map<string, Float32Array>();
  for (const p of SEED_CNN_PARAMETERS) {
    const init = p.shape.length > 1 ? glorotUniform(p.shape, rng) : new Float32Array(p.shape[0]);
    out.set(p.name, given[p.name] ?? init);
  }
  return out;
}

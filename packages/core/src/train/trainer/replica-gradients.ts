import { elementCount } from '../../onnx/tensor.js';
import type { OrtTensorLike, Runtime } from '../../runtime/runtime.js';

/** Gradients by parameter name, as the optimizer update reads them. */
export type GradientMap = Map<string, OrtTensorLike>;

/**
 * A batch's gradients as the data-parallel replicas left them: each replica's gradient of its slice as
 * one flat buffer (checkpoint order), and the slices' weights (their share of the batch). The batch's
 * gradient is Σ weights[r] × parts[r]; the flat update sums inside its graph, other paths call
 * {@link toGradientMap}.
 */
export class ReplicaGradients {
  readonly parameters: readonly { name: string; dims: readonly number[] }[];
  readonly parts: readonly Float32Array[];
  readonly weights: readonly number[];
  #sum: GradientMap | undefined;

  constructor(parameters: readonly { name: string; dims: readonly number[] }[], parts: readonly Float32Array[], weights: readonly number[]) {
    this.parameters = parameters;
    this.parts = parts;
    this.weights = weights;
  }

  /** The weighted sum by parameter: views of one buffer in checkpoint order (computed once). */
  toGradientMap(runtime: Runtime): GradientMap {
    if (this.#sum) return this.#sum;
    const flat = new Float32Array(this.parts[0].length);
    weightedSum(flat, this.parts, this.weights);
    const sum: GradientMap = new Map();
    let offset = 0;
    for (const p of this.parameters) {
      const size = elementCount(p.dims);
      sum.set(p.name, runtime.createTensor('float32', flat.subarray(offset, offset + size), p.dims));
      offset += size;
    }
    this.#sum = sum;
    return sum;
  }
}

/** Plain gradients, summing replicas' parts where needed. */
export function gradientMap(grads: GradientMap | ReplicaGradients, runtime: Runtime): GradientMap {
  return grads instanceof ReplicaGradients ? grads.toGradientMap(runtime) : grads;
}

/** `out` = Σ weights[i] × parts[i]. */
function weightedSum(out: Float32Array, parts: readonly Float32Array[], weights: readonly number[]): void {
  const [first, second] = parts;
  const [w0, w1] = weights;
  if (parts.length === 2) {
    for (let k = 0; k < out.length; k++) out[k] = w0 * first[k] + w1 * second[k];
    return;
  }
  for (let k = 0; k < out.length; k++) out[k] = w0 * first[k];
  for (let i = 1; i < parts.length; i++) {
    const g = parts[i];
    const w = weights[i];
    for (let k = 0; k < out.length; k++) out[k] += w * g[k];
  }
}

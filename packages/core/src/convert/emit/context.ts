import type { GraphBuilder } from '../../onnx/builder.js';
import type { Dim } from '../../onnx/ir.js';
import { formatShape } from '../../onnx/shape-inference/dims.js';
import { makeTensor } from '../../onnx/tensor.js';
import { ConvertError } from '../errors.js';
import type { LayerSpec, WeightSource, WeightValue } from '../topology/types.js';
import type { KTensor } from './tensor.js';

/** A weight a layer expects: its name and Keras shape (`null` where the topology does not pin it). */
export interface ExpectedWeight {
  name: string;
  shape: (number | null)[];
}

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

/** State shared by the layer converters: the graph being built, the weights, layout conversions. */
export class EmitContext {
  readonly builder: GraphBuilder;
  readonly opset: number;
  /** Keras 3 semantics where they differ from Keras 2 / TF.js (hard_sigmoid is relu6(x + 3) / 6 there). */
  readonly keras3: boolean;
  readonly #weights: WeightSource;
  readonly #transposed = new Map<string, string>();
  readonly #params = new Map<string, string>();
  readonly #read = new Map<string, WeightValue[]>();

  constructor(builder: GraphBuilder, weights: WeightSource, keras3 = false) {
    this.builder = builder;
    this.opset = builder.opset;
    this.keras3 = keras3;
    this.#weights = weights;
  }

  /** `t`'s value in Keras order (a Transpose if it is held channels-first; made once per value). */
  keras(t: KTensor): string {
    return t.layout === 'keras' ? t.name : this.#transpose(t.name, TO_NHWC);
  }

  /** `t`'s value channels-first (`t` must be rank 4). */
  nchw(t: KTensor, where: string): string {
    if (t.shape.length !== 4) throw new ConvertError('unsupported-layer', `${where}: expects a 4-D input (batch, height, width, channels), got shape ${formatShape(t.shape)}`);
    return t.layout === 'nchw' ? t.name : this.#transpose(t.name, TO_NCHW);
  }

  /** Converts `inputs` to one layout (channels-first if any is and all are rank 4), returning the values. */
  common(inputs: KTensor[]): { names: string[]; layout: KTensor['layout'] } {
    const nchw = inputs.some((t) => t.layout === 'nchw') && inputs.every((t) => t.shape.length === 4);
    return nchw
      ? { names: inputs.map((t) => this.nchw(t, 'merge')), layout: 'nchw' }
      : { names: inputs.map((t) => this.keras(t)), layout: 'keras' };
  }

  /**
   * The layer's weights, checked against what the topology implies: their count, then each shape. A
   * mismatch is a {@link ConvertError} `'weight-mismatch'` naming the layer and the weight.
   */
  weights(layer: LayerSpec, expected: ExpectedWeight[]): WeightValue[] {
    const where = `layer '${layer.name}' (${layer.className})`;
    let values = this.#read.get(layer.name);
    if (!values) {
      values = this.#weights.layer(layer.name);
      if (values === undefined) {
        if (expected.length === 0) return [];
        throw new ConvertError('missing-weights', `${where}: the weights have no entry for this layer (expected ${describe(expected)})`);
      }
      this.#read.set(layer.name, values);
    }
    if (values.length !== expected.length) {
      throw new ConvertError(
        'weight-mismatch',
        `${where}: the weights hold ${values.length} arrays (${values.map((v) => formatShape(v.shape)).join(', ') || 'none'}), the topology implies ${expected.length}: ${describe(expected)}`,
      );
    }
    values.forEach((v, i) => {
      const e = expected[i];
      const ok = v.shape.length === e.shape.length && e.shape.every((d, k) => d === null || d === v.shape[k]);
      if (!ok) {
        throw new ConvertError(
          'weight-mismatch',
          `${where}: weight '${e.name}' has shape ${formatShape(v.shape)}, but the topology implies ${formatShape(e.shape)}`,
        );
      }
    });
    return values;
  }

  /** A float32 initializer named `<layer>/<param>` (made once, so shared layers share it). */
  param(layer: string, param: string, dims: readonly number[], data: Float32Array): string {
    const key = `${layer}/${param}`;
    let name = this.#params.get(key);
    if (!name) {
      name = this.builder.constant(key, 'float32', dims, data);
      this.#params.set(key, name);
    }
    return name;
  }

  /**
   * A float32 constant, as a Constant node: a float initializer would count as a trainable parameter
   * for the training-artifact generator, and ELU's α is not one.
   */
  floats(hint: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const value = makeTensor(hint, 'float32', dims, Float32Array.from(values));
    return this.builder.op('Constant', [], { value });
  }

  /** A 1-D int64 constant (shapes, pads, axes). */
  ints(hint: string, values: readonly number[]): string {
    return this.builder.constant(hint, 'int64', [values.length], BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** ReduceMean over `axes` (an input from opset 18, an attribute before). */
  reduceMean(x: string, axes: readonly number[], keepdims: boolean): string {
    const keep = keepdims ? 1 : 0;
    return this.opset >= 18 ? this.op('ReduceMean', [x, this.ints('axes', axes)], { keepdims: keep }) : this.op('ReduceMean', [x], { axes: [...axes], keepdims: keep });
  }

  /** A single-output op. */
  op(opType: string, inputs: readonly string[], attributes: Parameters<GraphBuilder['op']>[2] = {}): string {
    return this.builder.op(opType, inputs, attributes);
  }

  #transpose(name: string, perm: number[]): string {
    const key = `${name}\u0000${perm.join(',')}`;
    let out = this.#transposed.get(key);
    if (!out) {
      out = this.builder.op('Transpose', [name], { perm });
      this.#transposed.set(key, out);
      // Transposing back gives the original value: remember it so a round trip costs nothing.
      this.#transposed.set(`${out}\u0000${(perm === TO_NCHW ? TO_NHWC : TO_NCHW).join(',')}`, name);
    }
    return out;
  }
}

/** `[null, 28, 28, 1]` → `[?, 28, 28, 1]`. */
export { formatShape };

/** A Keras shape as ONNX dims: the batch is `N`, other unknown sizes are left open. */
export function onnxDims(shape: readonly (number | null)[]): Dim[] {
  return shape.map((d, i) => (d === null ? (i === 0 ? 'N' : null) : d));
}

function describe(expected: ExpectedWeight[]): string {
  return expected.map((e) => `${e.name} ${formatShape(e.shape)}`).join(', ') || 'none';
}

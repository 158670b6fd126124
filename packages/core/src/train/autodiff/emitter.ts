import type { AttributeInput } from '../../onnx/attributes.js';
import type { GraphBuilder } from '../../onnx/builder.js';
import type { DataType } from '../../onnx/dtype.js';
import { makeTensor } from '../../onnx/tensor.js';
import { floatStorage } from '../../onnx/float-bits.js';

/** Largest int64 used as an open Slice end. */
export const INT64_MAX = 9223372036854775807n;

/**
 * Emits standard ONNX nodes into a builder, in the syntax of `builder.opset` (reduce/squeeze axes as an
 * attribute or an input, depending on the version). Constants become `Constant` nodes (never
 * initializers, so they are not mistaken for parameters) and are shared within one backward pass.
 */
export class Emitter {
  private readonly consts = new Map<string, string>();

  constructor(readonly builder: GraphBuilder) {}

  /** The opset the emitted nodes follow. */
  get opset(): number {
    return this.builder.opset;
  }

  /** A single-output node. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeInput | undefined> = {}): string {
    return this.builder.op(opType, inputs, attributes);
  }

  /** A float constant of `dtype` and `dims` (rank 0 by default). */
  floats(dtype: DataType, values: readonly number[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): string {
    const key = `${dtype}|${dims.join(',')}|${values.join(',')}`;
    return this.cached(key, () => makeTensor('value', dtype, dims, floatStorage(dtype, values)));
  }

  /** A scalar float constant of `dtype`. */
  scalar(value: number, dtype: DataType): string {
    return this.floats(dtype, [value], []);
  }

  /** An int64 constant of `dims` (1-D by default). */
  ints(values: readonly (number | bigint)[], dims: readonly number[] = [values.length]): string {
    const key = `int64|${dims.join(',')}|${values.join(',')}`;
    return this.cached(key, () => makeTensor('value', 'int64', dims, values.map((v) => BigInt(v))));
  }

  /** ReduceSum over `axes` (all axes when undefined). */
  reduceSum(x: string, axes: readonly number[] | undefined, keepdims: boolean): string {
    return this.reduce('ReduceSum', 13, x, axes, keepdims);
  }

  /** ReduceMean over `axes` (all axes when undefined). */
  reduceMean(x: string, axes: readonly number[] | undefined, keepdims: boolean): string {
    return this.reduce('ReduceMean', 18, x, axes, keepdims);
  }

  /** Squeeze `axes`. */
  squeeze(x: string, axes: readonly number[]): string {
    if (axes.length === 0) return x;
    return this.opset >= 13 ? this.op('Squeeze', [x, this.ints(axes)]) : this.op('Squeeze', [x], { axes: [...axes] });
  }

  /** Unsqueeze `axes`. */
  unsqueeze(x: string, axes: readonly number[]): string {
    if (axes.length === 0) return x;
    return this.opset >= 13 ? this.op('Unsqueeze', [x, this.ints(axes)]) : this.op('Unsqueeze', [x], { axes: [...axes] });
  }

  /** Slice with constant starts/ends/axes. */
  slice(x: string, starts: readonly (number | bigint)[], ends: readonly (number | bigint)[], axes: readonly number[]): string {
    return this.op('Slice', [x, this.ints(starts), this.ints(ends), this.ints(axes)]);
  }

  /** Transpose (no perm = reverse the axes). */
  transpose(x: string, perm?: readonly number[]): string {
    return this.op('Transpose', [x], perm ? { perm: [...perm] } : {});
  }

  /** Reshape to a constant shape (0 copies the input's dim, -1 is inferred). */
  reshape(x: string, shape: readonly number[]): string {
    return this.op('Reshape', [x, this.ints(shape)]);
  }

  /** Reshape to the runtime shape of `like`. */
  reshapeLike(x: string, like: string): string {
    return this.op('Reshape', [x, this.op('Shape', [like])]);
  }

  /** Where(cond, a, b). */
  where(cond: string, a: string, b: string): string {
    return this.op('Where', [cond, a, b]);
  }

  /** a + b (binary Add: gradients are never summed with n-ary Sum, which WebGPU runs on the CPU). */
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  /** a − b. */
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  /** a · b. */
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  /** a / b. */
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  /** −a. */
  neg(a: string): string {
    return this.op('Neg', [a]);
  }

  private reduce(opType: string, axesInputSince: number, x: string, axes: readonly number[] | undefined, keepdims: boolean): string {
    const k = keepdims ? 1 : 0;
    if (axes === undefined) return this.op(opType, [x], { keepdims: k });
    if (axes.length === 0) return x;
    return this.opset >= axesInputSince
      ? this.op(opType, [x, this.ints(axes)], { keepdims: k })
      : this.op(opType, [x], { axes: [...axes], keepdims: k });
  }

  private cached(key: string, make: () => ReturnType<typeof makeTensor>): string {
    let name = this.consts.get(key);
    if (name === undefined) {
      name = this.builder.op('Constant', [], { value: make() });
      this.consts.set(key, name);
    }
    return name;
  }
}

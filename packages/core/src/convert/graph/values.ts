import { ConvertError } from '../errors.js';
import type { EmitContext } from '../emit/context.js';
import type { KTensor } from '../emit/tensor.js';
import { permuteData } from '../layers/permute-data.js';
import type { ConstTensor, GraphNode } from './graph-def.js';

/**
 * A node output during conversion: an ONNX value; a constant not emitted until something reads it; or
 * integers computed from a tensor's shape (`Shape` → `StridedSlice` → `Pack`, how TF 2 exports Flatten),
 * known at conversion except the batch size (`null`), folded away wherever they are read.
 */
export type GraphValue =
  | { kind: 'tensor'; tensor: KTensor }
  | { kind: 'const'; value: ConstTensor; node: string }
  | { kind: 'shape'; dims: (number | null)[]; scalar: boolean };

/** What an op converter gets: its node, the emit context and typed access to its inputs. */
export interface OpArgs {
  node: GraphNode;
  ctx: EmitContext;
  /** The node's i-th data input. */
  input(i: number): GraphValue;
  /** The i-th input as a tensor or a constant (a shape value, fully known, as a constant). */
  operand(i: number): Operand;
  /** The i-th input as an ONNX value (a constant becomes an initializer or a Constant node). */
  tensor(i: number): KTensor;
  /** The i-th input, which must be a constant (a filter, a shape, axes). */
  constant(i: number, role: string): ConstTensor;
  /** The i-th input as a constant integer list. */
  ints(i: number, role: string): number[];
}

/** A tensor or a constant input. */
export type Operand = Exclude<GraphValue, { kind: 'shape' }>;

/** Converts one GraphDef node; returns its output 0. */
export type OpConverter = (a: OpArgs) => GraphValue;

/** A tensor result. */
export const tensorValue = (tensor: KTensor): GraphValue => ({ kind: 'tensor', tensor });

/**
 * A constant as an ONNX value. Single values (scales, epsilons) become Constant nodes, which the training
 * generator never treats as parameters; larger ones (weights) become initializers named after their node.
 * `nchw` lays a constant out to broadcast against a channels-first rank-4 value: its NHWC shape is padded
 * to rank 4 and transposed, e.g. a per-channel [C] bias becomes [1, C, 1, 1].
 */
export function materialize(ctx: EmitContext, c: ConstTensor, node: string, nchw = false): KTensor {
  let { shape, data } = c;
  if (nchw && shape.length <= 4 && data.length > 1) {
    const padded = [...new Array<number>(4 - shape.length).fill(1), ...shape];
    data = permuteData(data, padded, [0, 3, 1, 2]);
    shape = [padded[0], padded[3], padded[1], padded[2]];
  }
  const name = data.length === 1 ? ctx.floats(node, [data[0]], shape) : param(ctx, node, nchw ? ':nchw' : '', shape, data);
  return { name, shape: c.shape, layout: nchw && c.shape.length === 4 ? 'nchw' : 'keras' };
}

/** A float32 initializer named after its node (`a/b/kernel` + suffix), made once. */
export function param(ctx: EmitContext, node: string, suffix: string, dims: readonly number[], data: Float32Array): string {
  const cut = node.lastIndexOf('/');
  return cut < 0 ? ctx.param(node, suffix, dims, data) : ctx.param(node.slice(0, cut), node.slice(cut + 1) + suffix, dims, data);
}

/** OpArgs over a node whose inputs are looked up with `lookup`. */
export function opArgs(node: GraphNode, ctx: EmitContext, lookup: (ref: string) => GraphValue): OpArgs {
  const input = (i: number): GraphValue => {
    const ref = node.inputs[i];
    if (ref === undefined) throw new ConvertError('invalid-config', `${node.where}: expects at least ${i + 1} inputs, has ${node.inputs.length}`);
    return lookup(ref);
  };
  const constant = (i: number, role: string): ConstTensor => {
    const v = input(i);
    if (v.kind === 'shape' && v.dims.every((d) => d !== null)) return { shape: v.scalar ? [] : [v.dims.length], data: Float32Array.from(v.dims as number[]) };
    if (v.kind !== 'const') throw new ConvertError('unsupported-op', `${node.where}: its ${role} (input ${i}) is computed at run time; only a constant ${role} is supported`);
    return v.value;
  };
  return {
    node,
    ctx,
    input,
    constant,
    operand(i) {
      const v = input(i);
      return v.kind === 'shape' ? { kind: 'const', value: constant(i, 'operand'), node: node.inputs[i] } : v;
    },
    tensor(i) {
      const v = input(i);
      if (v.kind === 'tensor') return v.tensor;
      if (v.kind === 'const') return materialize(ctx, v.value, v.node);
      return materialize(ctx, constant(i, 'shape value'), node.inputs[i]);
    },
    ints(i, role) {
      const c = constant(i, role);
      if (!c.data.every((x) => Number.isInteger(x))) throw new ConvertError('invalid-config', `${node.where}: its ${role} must be integers, got ${Array.from(c.data).join(', ')}`);
      return Array.from(c.data);
    },
  };
}

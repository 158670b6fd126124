import type { DataType } from '../dtype.js';
import type { Dim, Node } from '../ir.js';
import { normAxis } from './dims.js';

/**
 * What inference knows about one tensor value: its element type, its shape when known, and — for
 * small integer tensors that compute shapes (a Reshape target, Slice bounds) — its contents as dims
 * when they are known statically (from an initializer, a Constant, or `Shape` of a typed value).
 */
export interface InferredTensor {
  dtype: DataType;
  shape?: Dim[];
  /** Statically known elements of a rank-0/1 integer tensor, as dims (symbols allowed). */
  data?: Dim[];
}

/** What a shape rule sees of one node. */
export interface ShapeContext {
  readonly node: Node;
  /** Version of the default (ai.onnx) opset the model imports. */
  readonly opset: number;
  /** True when input `i` is given (not omitted by an empty name). */
  has(i: number): boolean;
  /** What is known of input `i`; undefined when omitted or unknown. */
  input(i: number): InferredTensor | undefined;
  /** Shape of input `i`, when known. */
  shape(i: number): Dim[] | undefined;
  /** Element type of input `i`, when known. */
  dtype(i: number): DataType | undefined;
  /** Statically known contents of a small integer input `i` (symbols and nulls allowed). */
  data(i: number): Dim[] | undefined;
  /** Like {@link data}, but only when every element is a number. */
  ints(i: number): number[] | undefined;
  /** Throws a ShapeInferenceError that names this node. */
  fail(message: string): never;
}

/**
 * One op's shape/dtype rule: the inferred outputs, by output position (`undefined` where unknown).
 * Rules never throw for missing information (they return less), only for inconsistent inputs.
 */
export type ShapeRule = (ctx: ShapeContext) => (InferredTensor | undefined)[];

/** Same shape and dtype as input 0 — the rule of every elementwise unary op. */
export function sameAsInput(ctx: ShapeContext, i = 0): InferredTensor | undefined {
  const t = ctx.input(i);
  return t && { dtype: t.dtype, shape: t.shape };
}

/** Resolves a possibly negative axis against `rank`, failing on an out-of-range axis. */
export function normalizeAxis(ctx: ShapeContext, axis: number, rank: number, what = 'axis'): number {
  return normAxis(axis, rank) ?? ctx.fail(`${what} ${axis} is out of range for rank ${rank}`);
}

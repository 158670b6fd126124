import type { GraphBuilder } from '../../onnx/builder.js';
import type { DataType } from '../../onnx/dtype.js';
import type { Dim, Node, TensorData } from '../../onnx/ir.js';
import type { Emitter } from './emitter.js';

/**
 * Formulation choices of the backward pass that not every execution provider runs well or at all
 * (artifact targets, train/artifacts/targets.ts, decide them per device). Every choice emits standard
 * ONNX ops, and all choices give the same gradients.
 */
export interface GradientFeatures {
  /**
   * MaxPool's `Indices` output may be used: its backward is then a scatter of dY to the recorded
   * positions (MaxUnpool, or ScatterElements with `add` for overlapping windows) instead of re-finding
   * each window's first maximum. WebGPU cannot run MaxPool with `Indices`.
   */
  readonly maxPoolIndices: boolean;
}

/** The features every execution provider runs (WebGPU included). */
export const PORTABLE_FEATURES: Readonly<GradientFeatures> = Object.freeze({ maxPoolIndices: false });

/** Options of `appendBackward`. */
export interface GradientOptions {
  /** Name of the value to differentiate: a scalar (shape [] or [1]) float, or any float value when `seed` is given. */
  loss: string;
  /** Value names to differentiate with respect to: initializers (parameters), graph inputs or intermediate values. */
  wrt: string[];
  /** Name of an existing value holding dLoss/d`loss` (same shape as `loss`). @defaultValue a constant 1 */
  seed?: string;
  /**
   * Static shape of a value, when the caller knows it (e.g. from shape inference). Consulted first;
   * `undefined` falls back to the graph's declared types, initializers, constants and a local
   * propagation through the ops the rules know. @defaultValue none
   */
  shapeOf?: (name: string) => readonly Dim[] | undefined;
  /**
   * The opset the forward nodes are written for (it decides e.g. Softmax's axis semantics and
   * Dropout's inputs). Emitted nodes always follow `builder.opset`. @defaultValue builder.opset
   */
  forwardOpset?: number;
  /**
   * What a `wrt` value that the loss does not depend on gets: `'zeros'` (an `Expand` of a scalar 0
   * to its shape) or `'error'` (a RangeError naming it). @defaultValue 'zeros'
   */
  unreachable?: 'zeros' | 'error';
  /** Formulation choices allowed on the target runtime. @defaultValue {@link PORTABLE_FEATURES} */
  features?: Readonly<GradientFeatures>;
}

/** What a {@link GradientRule} is given: one forward node and the gradients flowing into it. */
export interface GradientContext {
  /** The forward node. */
  readonly node: Node;
  /** Its name as used in errors (`#index` when it has none). */
  readonly nodeName: string;
  /** The builder the backward nodes go to. */
  readonly builder: GraphBuilder;
  /** Opset-aware helpers that emit standard ONNX nodes into `builder`. */
  readonly emit: Emitter;
  /** Gradient value of each output, index-aligned with `node.outputs`; `undefined` means zero. */
  readonly outputGrads: readonly (string | undefined)[];
  /** Whether each input needs a gradient, index-aligned with `node.inputs`. */
  readonly needs: readonly boolean[];
  /** The opset the forward node is read at. */
  readonly opset: number;
  /** Formulation choices allowed on the target runtime. */
  readonly features: Readonly<GradientFeatures>;
  /** Static shape of a value, or undefined when unknown (dims may be symbolic or null). */
  shapeOf(name: string): Dim[] | undefined;
  /** Static rank of a value, or undefined when unknown. */
  rankOf(name: string): number | undefined;
  /** Element type of a value (float32 when nothing tells). */
  dtypeOf(name: string): DataType;
  /** The constant tensor behind a value (initializer or Constant node), if any. */
  constantOf(name: string): TensorData | undefined;
  /**
   * The values of a small integer value known before run time: a constant, or shape arithmetic over
   * static dims (see GraphInfo.staticElements); undefined when any element is only known at run time.
   */
  staticInts(name: string): number[] | undefined;
  /** Name of output `index` of the node; adds the output to the node (e.g. Dropout's mask) when it was omitted. */
  requireOutput(index: number): string;
  /** Throws a GradientRuleError naming this node and `reason`. */
  fail(reason: string): never;
}

/**
 * A gradient rule: given the node and its output gradients, emits standard ONNX nodes and returns the
 * gradient value names of its inputs, index-aligned with `node.inputs`. Only inputs with `needs[i]` are
 * read; `undefined` means a zero gradient. Each returned gradient has the shape of its input.
 */
export type GradientRule = (ctx: GradientContext) => readonly (string | undefined)[];

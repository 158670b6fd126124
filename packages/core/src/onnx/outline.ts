import type { Attribute } from './ir.js';

/**
 * The part of a model that {@link validateModel} and {@link externalTensors} read. The IR `Model` is
 * one; so is the outline `createSession` decodes to check a model before ONNX Runtime loads it, without
 * the weights, value types and doc strings. `T` is the tensor type (`TensorData` in the IR).
 */
export interface ModelOutline<T extends TensorOutline = TensorOutline> {
  irVersion: number;
  opsetImports: readonly { domain: string }[];
  graph: GraphOutline<T>;
  functions: readonly FunctionOutline<T>[];
  trainingInfo: readonly { initialization?: GraphOutline<T>; algorithm?: GraphOutline<T> }[];
}

/** A tensor as far as the checks go: its name, and where its bytes live when not in the model. */
export interface TensorOutline {
  name: string;
  external?: { location: string };
}

/** The graph of a {@link ModelOutline}: value names, tensors, and nodes in file order. */
export interface GraphOutline<T extends TensorOutline = TensorOutline> {
  inputs: readonly { name: string }[];
  outputs: readonly { name: string }[];
  initializers: readonly T[];
  sparseInitializers: readonly SparseTensorOutline<T>[];
  nodes: readonly NodeOutline<T>[];
}

/** A sparse tensor of a {@link ModelOutline}. */
export interface SparseTensorOutline<T extends TensorOutline = TensorOutline> {
  values: T;
  indices: T;
}

/** A node of a {@link GraphOutline}. */
export interface NodeOutline<T extends TensorOutline = TensorOutline> {
  opType: string;
  domain: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: Readonly<Record<string, AttributeOutline<T>>>;
}

/** A model-local function of a {@link ModelOutline}. */
export interface FunctionOutline<T extends TensorOutline = TensorOutline> {
  domain: string;
  nodes: readonly NodeOutline<T>[];
  attributeDefaults: Readonly<Record<string, AttributeOutline<T>>>;
}

/** The attribute kinds that hold tensors or subgraphs. */
type NestingKind = 'tensor' | 'tensors' | 'sparse_tensor' | 'sparse_tensors' | 'graph' | 'graphs';

/** An attribute of a {@link NodeOutline}: a value only for the kinds that hold tensors or subgraphs. */
export type AttributeOutline<T extends TensorOutline = TensorOutline> =
  | { type: 'tensor'; value: T }
  | { type: 'tensors'; value: readonly T[] }
  | { type: 'sparse_tensor'; value: SparseTensorOutline<T> }
  | { type: 'sparse_tensors'; value: readonly SparseTensorOutline<T>[] }
  | { type: 'graph'; value: GraphOutline<T> }
  | { type: 'graphs'; value: readonly GraphOutline<T>[] }
  | { type: Exclude<Attribute['type'], NestingKind> };

import type { DataType, TensorValues } from './dtype.js';

/**
 * The typed IR onnxkit works on: plain objects, decoded from and encoded to ONNX protobuf by
 * `decodeModel` / `encodeModel`. int64 scalars (dims, attribute ints, versions) are JS numbers;
 * int64 tensor data is a BigInt64Array.
 */

/** A dimension: a size, a symbolic name (`'batch'`), or null when unknown. */
export type Dim = number | string | null;

/** Type of a graph value. Most graphs only use `tensor`. */
export type ValueType =
  | { kind: 'tensor'; dtype: DataType; shape?: Dim[]; denotation?: string }
  | { kind: 'sparse_tensor'; dtype: DataType; shape?: Dim[]; denotation?: string }
  | { kind: 'sequence'; elem?: ValueType; denotation?: string }
  | { kind: 'map'; keyType: DataType; value?: ValueType; denotation?: string }
  | { kind: 'optional'; elem?: ValueType; denotation?: string }
  | { kind: 'unknown'; denotation?: string };

/** A named value of a graph: an input, an output, or an intermediate with known type. */
export interface Value {
  name: string;
  type?: ValueType;
  docString?: string;
  metadata?: Record<string, string>;
}

/** External storage of a tensor's bytes (`location` relative to the model's folder). */
export interface ExternalDataRef {
  location: string;
  offset?: number;
  length?: number;
  checksum?: string;
  /** Any other key/value pairs the file carried, kept for round trips. */
  extra?: Record<string, string>;
}

/**
 * A constant tensor: an initializer, an attribute value or a Constant's value. `data` is a typed
 * array in the element type's storage (see `storageOf`); `external` is set while the bytes still live
 * in an external file (call `resolveExternalData` to load them).
 */
export interface TensorData {
  name: string;
  dtype: DataType;
  dims: number[];
  data: TensorValues;
  external?: ExternalDataRef;
  docString?: string;
  metadata?: Record<string, string>;
}

/** A sparse constant tensor (COO): `values` of shape [NNZ], `indices` [NNZ] or [NNZ, rank]. */
export interface SparseTensorData {
  values: TensorData;
  indices: TensorData;
  dims: number[];
}

/** An attribute value, tagged with its ONNX attribute type so it round-trips exactly. */
export type Attribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: TensorData }
  | { type: 'graph'; value: Graph }
  | { type: 'sparse_tensor'; value: SparseTensorData }
  | { type: 'type_proto'; value: ValueType }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensors'; value: TensorData[] }
  | { type: 'graphs'; value: Graph[] }
  | { type: 'sparse_tensors'; value: SparseTensorData[] }
  | { type: 'type_protos'; value: ValueType[] }
  /** A reference to an attribute of the enclosing function (`ref_attr_name`). */
  | { type: 'ref'; refName: string; refType: AttributeKind };

/** The tag of an {@link Attribute}. */
export type AttributeKind = Exclude<Attribute['type'], 'ref'>;

/** A graph node: one operator application. Empty input names mean omitted optional inputs. */
export interface Node {
  opType: string;
  /** Operator domain; `''` is the default ONNX domain. */
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, Attribute>;
  overload?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** Quantization annotation of one tensor (kept for round trips). */
export interface TensorAnnotation {
  tensorName: string;
  quantParameterTensorNames: Record<string, string>;
}

/** A computation graph. Nodes are kept in the file's order (ONNX requires topological order). */
export interface Graph {
  name: string;
  nodes: Node[];
  inputs: Value[];
  outputs: Value[];
  initializers: TensorData[];
  sparseInitializers: SparseTensorData[];
  valueInfo: Value[];
  quantizationAnnotations?: TensorAnnotation[];
  docString?: string;
  metadata?: Record<string, string>;
}

/** An operator set the model imports: `domain` `''` is the default ONNX domain. */
export interface OpsetImport {
  domain: string;
  version: number;
}

/** A model-local function (FunctionProto). */
export interface FunctionDef {
  name: string;
  domain: string;
  overload?: string;
  inputs: string[];
  outputs: string[];
  attributes: string[];
  attributeDefaults: Record<string, Attribute>;
  nodes: Node[];
  opsetImports: OpsetImport[];
  valueInfo: Value[];
  docString?: string;
  metadata?: Record<string, string>;
}

/** Training information (TrainingInfoProto), kept for round trips. */
export interface TrainingInfo {
  initialization?: Graph;
  algorithm?: Graph;
  initializationBinding: Record<string, string>;
  updateBinding: Record<string, string>;
}

/** A whole ONNX model. */
export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graph: Graph;
  /** `metadata_props`, in file order. */
  metadata: Record<string, string>;
  functions: FunctionDef[];
  trainingInfo: TrainingInfo[];
}

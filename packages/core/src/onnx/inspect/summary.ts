import type { DataType } from '../dtype.js';
import type { Dim, OpsetImport, ValueType } from '../ir.js';

/** A graph input or output as {@link inspect} reports it. */
export interface ValueSummary {
  name: string;
  /** What kind of value it is; `'untyped'` when the file gives no type. */
  kind: ValueType['kind'] | 'untyped';
  /** Element type of a tensor, else null. */
  dtype: DataType | null;
  /** Dims (numbers, symbols like `'N'`, null for unknown), or null when the rank is unknown. */
  shape: Dim[] | null;
  /** True when the shape comes from shape inference because the file declares none. */
  inferred: boolean;
}

/** One initializer (a parameter or a constant). */
export interface ParameterSummary {
  name: string;
  dtype: DataType;
  dims: number[];
  elements: number;
  bytes: number;
  /** True for float element types: the tensors training can update. */
  float: boolean;
  /** True when the bytes live in an external data file. */
  external: boolean;
  /** True for a sparse initializer (elements and bytes count the dense size). */
  sparse: boolean;
}

/** Totals over all initializers, and over the float ones. */
export interface ParameterTotals {
  tensors: number;
  elements: number;
  bytes: number;
  floatTensors: number;
  floatElements: number;
  floatBytes: number;
  /** Every initializer, in file order. */
  list: ParameterSummary[];
}

/**
 * What {@link inspect} reports about a model. Plain JSON data: no typed arrays, no bigint, so
 * `JSON.stringify(summary)` is the machine-readable form.
 */
export interface ModelSummary {
  irVersion: number;
  /** Opset imports; `''` is the default ONNX domain (ai.onnx). */
  opsets: OpsetImport[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graphName: string;
  /** metadata_props. */
  metadata: Record<string, string>;
  /** Graph inputs that are not initializers (the values a caller feeds). */
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  /** Nodes of the main graph and of every nested subgraph (If/Loop/Scan bodies). */
  nodeCount: number;
  /** Node count per op type (`domain.OpType` outside the default domain), most frequent first. */
  opHistogram: Record<string, number>;
  parameters: ParameterTotals;
  /** Names of model-local functions. */
  functions: string[];
}

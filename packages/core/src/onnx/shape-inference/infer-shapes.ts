import type { DataType } from '../dtype.js';
import type { Dim, Graph, Model, Node, OpsetImport, ValueType } from '../ir.js';
import type { InferredTensor, ShapeContext } from './context.js';
import { ShapeInferenceError } from './errors.js';
import { SHAPE_RULES, hasShapeRule } from './rule-table.js';
import { constantInfo } from './rules/casts-and-constants.js';

/** Options of {@link inferShapes}. */
export interface InferShapesOptions {
  /**
   * Throw a {@link ShapeInferenceError} for a node whose op has no shape rule (other domains
   * included), instead of leaving its outputs untyped.
   * @defaultValue false
   */
  strict?: boolean;
  /**
   * Shapes that replace the declared shapes of graph inputs, e.g. `{ input: [32, 1, 28, 28] }` to
   * infer with a concrete batch size, or `{ input: ['N', 1, 28, 28] }` to make it symbolic.
   * @defaultValue {}
   */
  inputShapes?: Record<string, Dim[]>;
}

/** Opset assumed for a model that imports no default-domain opset (then no rule depends on it). */
const LATEST_OPSET = 23;

/** The model's ai.onnx opset version. */
export function defaultOpsetVersion(opsets: readonly OpsetImport[]): number {
  return opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? LATEST_OPSET;
}

/**
 * Infers the element type and shape of every value of the model's main graph: its inputs,
 * initializers and every node output. Symbolic dims propagate (a batch dim `'N'` stays `'N'`); a
 * dim that cannot be known statically is `null`; a value whose type cannot be inferred (the output
 * of an op without a rule) is missing from the map unless the model declares it in `valueInfo` or
 * its outputs. Throws a {@link ShapeInferenceError} naming the node when input shapes conflict.
 */
export function inferShapes(model: Model, options: InferShapesOptions = {}): Map<string, ValueType> {
  return inferGraphShapes(model.graph, defaultOpsetVersion(model.opsetImports), options);
}

/** {@link inferShapes} for a bare graph and its ai.onnx opset version (e.g. a GraphBuilder's). */
export function inferGraphShapes(graph: Graph, opset: number, options: InferShapesOptions = {}): Map<string, ValueType> {
  return runInference(graph, opset, options).types;
}

/**
 * {@link inferGraphShapes} with what inference knows of each tensor value, shape data included (the
 * statically known elements of small integer values, e.g. a Reshape target built from `Shape`).
 */
export function inferGraphTensors(graph: Graph, opset: number, options: InferShapesOptions = {}): Map<string, InferredTensor> {
  return runInference(graph, opset, options).tensors;
}

function runInference(graph: Graph, opset: number, options: InferShapesOptions): { types: Map<string, ValueType>; tensors: Map<string, InferredTensor> } {
  if (!Number.isInteger(opset) || opset < 1) throw new RangeError(`inferGraphShapes: 'opset' must be a positive integer, got ${opset}`);
  const overrides = options.inputShapes ?? {};
  for (const name of Object.keys(overrides)) {
    if (!graph.inputs.some((v) => v.name === name)) {
      throw new RangeError(`inferShapes: inputShapes names '${name}', which is not a graph input`);
    }
  }
  const result = new Map<string, ValueType>();
  const known = new Map<string, InferredTensor>();
  const set = (name: string, t: InferredTensor) => {
    known.set(name, t);
    result.set(name, toValueType(t));
  };

  for (const v of graph.inputs) {
    const t = tensorOf(v.type);
    if (t) set(v.name, overrides[v.name] ? { dtype: t.dtype, shape: [...overrides[v.name]] } : t);
    else if (v.type) result.set(v.name, v.type);
  }
  for (const init of graph.initializers) set(init.name, constantInfo(init));
  for (const s of graph.sparseInitializers) set(s.values.name, { dtype: s.values.dtype, shape: [...s.dims] });

  const declared = new Map<string, ValueType>();
  for (const v of [...graph.valueInfo, ...graph.outputs]) if (v.type) declared.set(v.name, v.type);

  graph.nodes.forEach((node, index) => {
    const outputs = inferNode(node, index, opset, known, options.strict ?? false);
    node.outputs.forEach((name, j) => {
      if (!name) return;
      const decl = declared.get(name);
      const merged = mergeDeclared(outputs[j], tensorOf(decl));
      if (merged) set(name, merged);
      else if (decl) result.set(name, decl);
    });
  });
  return { types: result, tensors: known };
}

function inferNode(
  node: Node,
  index: number,
  opset: number,
  known: ReadonlyMap<string, InferredTensor>,
  strict: boolean,
): (InferredTensor | undefined)[] {
  const label = `node ${index} (${node.opType}${node.name ? ` '${node.name}'` : ''})`;
  const fail = (message: string): never => {
    throw new ShapeInferenceError(node.opType, node.name, index, `shape inference: ${label}: ${message}`);
  };
  const defaultDomain = node.domain === '' || node.domain === 'ai.onnx';
  if (!defaultDomain || !hasShapeRule(node.opType)) {
    if (strict) fail(`no shape inference rule for op '${defaultDomain ? '' : `${node.domain}.`}${node.opType}'`);
    return [];
  }
  const input = (i: number) => {
    const name = node.inputs[i];
    return name ? known.get(name) : undefined;
  };
  const ctx: ShapeContext = {
    node,
    opset,
    has: (i) => Boolean(node.inputs[i]),
    input,
    shape: (i) => input(i)?.shape,
    dtype: (i) => input(i)?.dtype,
    data: (i) => input(i)?.data,
    ints: (i) => {
      const d = input(i)?.data;
      return d && d.every((x): x is number => typeof x === 'number') ? d : undefined;
    },
    fail,
  };
  return SHAPE_RULES[node.opType](ctx);
}

function tensorOf(t: ValueType | undefined): InferredTensor | undefined {
  if (t?.kind !== 'tensor') return undefined;
  return t.shape ? { dtype: t.dtype, shape: [...t.shape] } : { dtype: t.dtype };
}

/** Inferred facts win; the declared type fills in what inference could not know. */
function mergeDeclared(inferred: InferredTensor | undefined, declared: InferredTensor | undefined): InferredTensor | undefined {
  if (!inferred || !declared) return inferred ?? declared;
  const dtype: DataType = inferred.dtype;
  if (!inferred.shape) return { dtype, shape: declared.shape, data: inferred.data };
  const shape =
    declared.shape && declared.shape.length === inferred.shape.length
      ? inferred.shape.map((d, i) => d ?? declared.shape![i])
      : inferred.shape;
  return { dtype, shape, data: inferred.data };
}

function toValueType(t: InferredTensor): ValueType {
  return t.shape ? { kind: 'tensor', dtype: t.dtype, shape: [...t.shape] } : { kind: 'tensor', dtype: t.dtype };
}

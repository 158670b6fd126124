import { encodeUtf8 } from '../codec/utf8.js';
import { byteSize, isFloatType } from '../dtype.js';
import type { Graph, Model, Node, TensorData, Value, ValueType } from '../ir.js';
import { inferShapes } from '../shape-inference/infer-shapes.js';
import { elementCount } from '../tensor.js';
import type { ModelSummary, ParameterSummary, ParameterTotals, ValueSummary } from './summary.js';

/**
 * Summarises a model: inputs and outputs with dtypes and shapes, opset imports, IR version, an
 * op-type histogram, parameter count and bytes, producer, metadata. Outputs the file declares
 * without a shape get the inferred one (marked `inferred`); a model inference cannot handle still
 * inspects.
 */
export function inspect(model: Model): ModelSummary {
  if (typeof model !== 'object' || model === null || typeof model.graph !== 'object') {
    throw new TypeError(`inspect: 'model' must be a decoded ONNX model (see decodeModel)`);
  }
  const g = model.graph;
  const initNames = new Set(g.initializers.map((t) => t.name));
  let inferred: Map<string, ValueType> | undefined;
  try {
    inferred = inferShapes(model);
  } catch {
    inferred = undefined;
  }
  const nodes = allNodes(g);
  return {
    irVersion: model.irVersion,
    opsets: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    domain: model.domain,
    modelVersion: model.modelVersion,
    docString: model.docString,
    graphName: g.name,
    metadata: { ...model.metadata },
    inputs: g.inputs.filter((v) => !initNames.has(v.name)).map((v) => summariseValue(v, undefined)),
    outputs: g.outputs.map((v) => summariseValue(v, inferred?.get(v.name))),
    nodeCount: nodes.length,
    opHistogram: histogram(nodes),
    parameters: parameters(g),
    functions: model.functions.map((f) => (f.domain ? `${f.domain}.${f.name}` : f.name)),
  };
}

function summariseValue(v: Value, inferred: ValueType | undefined): ValueSummary {
  const t = v.type;
  if (t?.kind === 'tensor' || t?.kind === 'sparse_tensor') {
    const shapeless = !t.shape || t.shape.some((d) => d === null);
    const better = shapeless && inferred?.kind === 'tensor' && inferred.shape && inferred.shape.some((d) => d !== null);
    const shape = better && inferred.kind === 'tensor' ? inferred.shape! : t.shape;
    return { name: v.name, kind: t.kind, dtype: t.dtype, shape: shape ? [...shape] : null, inferred: Boolean(better) };
  }
  if (!t && inferred?.kind === 'tensor') {
    return { name: v.name, kind: 'tensor', dtype: inferred.dtype, shape: inferred.shape ? [...inferred.shape] : null, inferred: true };
  }
  return { name: v.name, kind: t ? t.kind : 'untyped', dtype: null, shape: null, inferred: false };
}

function allNodes(g: Graph): Node[] {
  const out: Node[] = [];
  const visit = (graph: Graph) => {
    for (const n of graph.nodes) {
      out.push(n);
      for (const a of Object.values(n.attributes)) {
        if (a.type === 'graph') visit(a.value);
        else if (a.type === 'graphs') a.value.forEach(visit);
      }
    }
  };
  visit(g);
  return out;
}

function histogram(nodes: readonly Node[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const n of nodes) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(sorted);
}

function tensorBytes(t: TensorData, elements: number): number {
  if (t.dtype !== 'string') return byteSize(t.dtype, elements);
  return (t.data as string[]).reduce((sum, s) => sum + encodeUtf8(s).byteLength, 0);
}

function parameters(g: Graph): ParameterTotals {
  const list: ParameterSummary[] = [];
  const add = (t: TensorData, dims: number[], sparse: boolean) => {
    const elements = elementCount(dims);
    list.push({
      name: t.name,
      dtype: t.dtype,
      dims: [...dims],
      elements,
      bytes: tensorBytes(t, elements),
      float: isFloatType(t.dtype),
      external: Boolean(t.external),
      sparse,
    });
  };
  for (const t of g.initializers) add(t, t.dims, false);
  for (const s of g.sparseInitializers) add(s.values, s.dims, true);
  const floats = list.filter((p) => p.float);
  const sum = (ps: ParameterSummary[], key: 'elements' | 'bytes') => ps.reduce((n, p) => n + p[key], 0);
  return {
    tensors: list.length,
    elements: sum(list, 'elements'),
    bytes: sum(list, 'bytes'),
    floatTensors: floats.length,
    floatElements: sum(floats, 'elements'),
    floatBytes: sum(floats, 'bytes'),
    list,
  };
}

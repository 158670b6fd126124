import { onnx } from '../proto/onnx-pb-outline.js';
import type {
  AttributeOutline,
  FunctionOutline,
  GraphOutline,
  ModelOutline,
  NodeOutline,
  SparseTensorOutline,
  TensorOutline,
} from '../outline.js';
import { attributeKind } from './attribute-codec.js';
import { int64ToNumber } from './int64.js';
import { parseModelBytes, readingGraph } from './parse-model.js';
import { checkTensor, sparseParts } from './tensor-codec.js';

// The outline decoder's nested messages are typed as property bags; they are decoded instances.
type Tensor = onnx.TensorProto.$Properties;

const outlineTensor = (p: Tensor): TensorOutline => checkTensor(p as onnx.TensorProto);

function outlineSparse(p: onnx.SparseTensorProto.$Properties): SparseTensorOutline {
  const { values, indices } = sparseParts(p);
  return { values: outlineTensor(values), indices: outlineTensor(indices) };
}

function outlineAttribute(p: onnx.AttributeProto): AttributeOutline {
  const type = attributeKind(p);
  // A reference to a function's attribute holds no value of its own.
  if (p.refAttrName) return { type: 'ref' };
  switch (type) {
    case 'tensor':
      return { type, value: outlineTensor(p.t as Tensor) };
    case 'tensors':
      return { type, value: p.tensors.map(outlineTensor) };
    case 'sparse_tensor':
      return { type, value: outlineSparse(p.sparseTensor as onnx.SparseTensorProto) };
    case 'sparse_tensors':
      return { type, value: p.sparseTensors.map(outlineSparse) };
    case 'graph':
      return { type, value: outlineGraph(p.g as onnx.GraphProto) };
    case 'graphs':
      return { type, value: p.graphs.map((g) => outlineGraph(g as onnx.GraphProto)) };
    default:
      return { type };
  }
}

function outlineAttributes(list: readonly onnx.AttributeProto.$Properties[]): Record<string, AttributeOutline> {
  const attributes: Record<string, AttributeOutline> = {};
  for (const a of list) attributes[a.name ?? ''] = outlineAttribute(a as onnx.AttributeProto);
  return attributes;
}

function outlineNode(p: onnx.NodeProto): NodeOutline {
  return {
    opType: p.opType ?? '',
    domain: p.domain ?? '',
    name: p.name ?? '',
    inputs: p.input,
    outputs: p.output,
    attributes: outlineAttributes(p.attribute),
  };
}

const named = (v: { name?: string | null }) => ({ name: v.name ?? '' });

function outlineGraph(p: onnx.GraphProto): GraphOutline {
  return {
    inputs: p.input.map(named),
    outputs: p.output.map(named),
    initializers: p.initializer.map(outlineTensor),
    sparseInitializers: p.sparseInitializer.map(outlineSparse),
    nodes: p.node.map((n) => outlineNode(n as onnx.NodeProto)),
  };
}

function outlineFunction(p: onnx.FunctionProto): FunctionOutline {
  return {
    domain: p.domain ?? '',
    nodes: p.node.map((n) => outlineNode(n as onnx.NodeProto)),
    attributeDefaults: outlineAttributes(p.attributeProto),
  };
}

/**
 * Decodes what `createSession` checks of a model before ONNX Runtime loads it, for
 * {@link validateModel} and {@link externalTensors}: names, domains, nodes, subgraphs, tensors' types,
 * dims and external files. Throws the {@link ModelFormatError} that `decodeModel` throws for bytes that
 * are empty, no protobuf, truncated, or hold a tensor whose data does not fit its dims; the rest of the
 * model (weights, value types, doc strings, metadata) is skipped unread, so its bundle carries only the
 * outline decoder.
 */
export function decodeModelOutline(bytes: Uint8Array): ModelOutline {
  const p = parseModelBytes((b) => onnx.ModelProto.decode(b), bytes);
  return readingGraph(() => ({
    irVersion: int64ToNumber(p.irVersion),
    opsetImports: p.opsetImport.map((o) => ({ domain: o.domain ?? '' })),
    graph: outlineGraph(p.graph as onnx.GraphProto),
    functions: p.functions.map((f) => outlineFunction(f as onnx.FunctionProto)),
    trainingInfo: p.trainingInfo.map((t) => ({
      initialization: t.initialization ? outlineGraph(t.initialization as onnx.GraphProto) : undefined,
      algorithm: t.algorithm ? outlineGraph(t.algorithm as onnx.GraphProto) : undefined,
    })),
  }));
}

import type { onnx } from '../proto/onnx-pb.js';
import type { FunctionDef, Graph, Model, Node, OpsetImport, TrainingInfo, Value } from '../ir.js';
import { decodeAttribute, encodeAttribute, type SubgraphCodec } from './attribute-codec.js';
import { int64ToNumber, numberToLong } from './int64.js';
import { parseModelBytes, readingGraph } from './parse-model.js';
import { pb, pbEncode } from './protobuf.js';
import {
  decodeSparseTensor,
  decodeTensor,
  encodeSparseTensor,
  encodeTensor,
  entriesToRecord,
  recordToEntries,
} from './tensor-codec.js';
import { decodeType, encodeType } from './type-codec.js';

const codec: SubgraphCodec = { decodeGraph, encodeGraph, decodeType, encodeType };

function optionalMetadata(entries: readonly onnx.StringStringEntryProto.$Properties[]) {
  return entries.length ? entriesToRecord(entries) : undefined;
}

function decodeValue(p: onnx.ValueInfoProto): Value {
  const v: Value = { name: p.name ?? '' };
  if (p.type) v.type = decodeType(p.type as onnx.TypeProto);
  if (p.docString) v.docString = p.docString;
  const metadata = optionalMetadata(p.metadataProps);
  if (metadata) v.metadata = metadata;
  return v;
}

function encodeValue(v: Value): onnx.ValueInfoProto.$Properties {
  return {
    name: v.name,
    type: v.type ? encodeType(v.type) : undefined,
    docString: v.docString,
    metadataProps: recordToEntries(v.metadata),
  };
}

function decodeNode(p: onnx.NodeProto): Node {
  const attributes: Node['attributes'] = {};
  for (const a of p.attribute) attributes[a.name ?? ''] = decodeAttribute(a as onnx.AttributeProto, codec);
  const n: Node = {
    opType: p.opType ?? '',
    domain: p.domain ?? '',
    name: p.name ?? '',
    inputs: [...p.input],
    outputs: [...p.output],
    attributes,
  };
  if (p.overload) n.overload = p.overload;
  if (p.docString) n.docString = p.docString;
  const metadata = optionalMetadata(p.metadataProps);
  if (metadata) n.metadata = metadata;
  return n;
}

function encodeNode(n: Node): onnx.NodeProto.$Properties {
  return {
    input: n.inputs,
    output: n.outputs,
    name: n.name || undefined,
    opType: n.opType,
    domain: n.domain || undefined,
    overload: n.overload,
    attribute: Object.entries(n.attributes).map(([name, a]) => encodeAttribute(name, a, codec)),
    docString: n.docString,
    metadataProps: recordToEntries(n.metadata),
  };
}

/** GraphProto → IR graph. */
export function decodeGraph(p: onnx.GraphProto): Graph {
  const g: Graph = {
    name: p.name ?? '',
    nodes: p.node.map((n) => decodeNode(n as onnx.NodeProto)),
    inputs: p.input.map((v) => decodeValue(v as onnx.ValueInfoProto)),
    outputs: p.output.map((v) => decodeValue(v as onnx.ValueInfoProto)),
    initializers: p.initializer.map((t) => decodeTensor(t as onnx.TensorProto)),
    sparseInitializers: p.sparseInitializer.map((s) => decodeSparseTensor(s as onnx.SparseTensorProto)),
    valueInfo: p.valueInfo.map((v) => decodeValue(v as onnx.ValueInfoProto)),
  };
  if (p.quantizationAnnotation.length) {
    g.quantizationAnnotations = p.quantizationAnnotation.map((a) => ({
      tensorName: a.tensorName ?? '',
      quantParameterTensorNames: entriesToRecord(a.quantParameterTensorNames ?? []),
    }));
  }
  if (p.docString) g.docString = p.docString;
  const metadata = optionalMetadata(p.metadataProps);
  if (metadata) g.metadata = metadata;
  return g;
}

/** IR graph → GraphProto properties. */
export function encodeGraph(g: Graph): onnx.GraphProto.$Properties {
  return {
    node: g.nodes.map(encodeNode),
    name: g.name,
    initializer: g.initializers.map(encodeTensor),
    sparseInitializer: g.sparseInitializers.map(encodeSparseTensor),
    docString: g.docString,
    input: g.inputs.map(encodeValue),
    output: g.outputs.map(encodeValue),
    valueInfo: g.valueInfo.map(encodeValue),
    quantizationAnnotation: g.quantizationAnnotations?.map((a) => ({
      tensorName: a.tensorName,
      quantParameterTensorNames: recordToEntries(a.quantParameterTensorNames),
    })),
    metadataProps: recordToEntries(g.metadata),
  };
}

function decodeOpsets(list: readonly onnx.OperatorSetIdProto.$Properties[]): OpsetImport[] {
  return list.map((o) => ({ domain: o.domain ?? '', version: int64ToNumber(o.version) }));
}

function encodeOpsets(list: readonly OpsetImport[]): onnx.OperatorSetIdProto.$Properties[] {
  return list.map((o) => ({ domain: o.domain, version: numberToLong(o.version) }));
}

function decodeFunction(p: onnx.FunctionProto): FunctionDef {
  const attributeDefaults: FunctionDef['attributeDefaults'] = {};
  for (const a of p.attributeProto) attributeDefaults[a.name ?? ''] = decodeAttribute(a as onnx.AttributeProto, codec);
  const f: FunctionDef = {
    name: p.name ?? '',
    domain: p.domain ?? '',
    inputs: [...p.input],
    outputs: [...p.output],
    attributes: [...p.attribute],
    attributeDefaults,
    nodes: p.node.map((n) => decodeNode(n as onnx.NodeProto)),
    opsetImports: decodeOpsets(p.opsetImport),
    valueInfo: p.valueInfo.map((v) => decodeValue(v as onnx.ValueInfoProto)),
  };
  if (p.overload) f.overload = p.overload;
  if (p.docString) f.docString = p.docString;
  const metadata = optionalMetadata(p.metadataProps);
  if (metadata) f.metadata = metadata;
  return f;
}

function encodeFunction(f: FunctionDef): onnx.FunctionProto.$Properties {
  return {
    name: f.name,
    domain: f.domain,
    overload: f.overload,
    input: f.inputs,
    output: f.outputs,
    attribute: f.attributes,
    attributeProto: Object.entries(f.attributeDefaults).map(([n, a]) => encodeAttribute(n, a, codec)),
    node: f.nodes.map(encodeNode),
    opsetImport: encodeOpsets(f.opsetImports),
    valueInfo: f.valueInfo.map(encodeValue),
    docString: f.docString,
    metadataProps: recordToEntries(f.metadata),
  };
}

function decodeTrainingInfo(p: onnx.TrainingInfoProto): TrainingInfo {
  const t: TrainingInfo = {
    initializationBinding: entriesToRecord(p.initializationBinding),
    updateBinding: entriesToRecord(p.updateBinding),
  };
  if (p.initialization) t.initialization = decodeGraph(p.initialization as onnx.GraphProto);
  if (p.algorithm) t.algorithm = decodeGraph(p.algorithm as onnx.GraphProto);
  return t;
}

function encodeTrainingInfo(t: TrainingInfo): onnx.TrainingInfoProto.$Properties {
  return {
    initialization: t.initialization ? encodeGraph(t.initialization) : undefined,
    algorithm: t.algorithm ? encodeGraph(t.algorithm) : undefined,
    initializationBinding: recordToEntries(t.initializationBinding),
    updateBinding: recordToEntries(t.updateBinding),
  };
}

/**
 * Parses ONNX protobuf bytes into the IR, without validating the graph (see `decodeModel`).
 * Throws {@link ModelFormatError} for bytes that are not an ONNX model.
 */
export function decodeModelProto(bytes: Uint8Array): Model {
  const p = parseModelBytes((b) => pb.ModelProto.decode(b), bytes);
  const graph = readingGraph(() => decodeGraph(p.graph as onnx.GraphProto));
  return {
    irVersion: int64ToNumber(p.irVersion),
    opsetImports: decodeOpsets(p.opsetImport),
    producerName: p.producerName ?? '',
    producerVersion: p.producerVersion ?? '',
    domain: p.domain ?? '',
    modelVersion: int64ToNumber(p.modelVersion),
    docString: p.docString ?? '',
    graph,
    metadata: entriesToRecord(p.metadataProps),
    functions: p.functions.map((f) => decodeFunction(f as onnx.FunctionProto)),
    trainingInfo: p.trainingInfo.map((t) => decodeTrainingInfo(t as onnx.TrainingInfoProto)),
  };
}

/** Serialises an IR model to ONNX protobuf bytes. Numeric tensor data is written as raw_data. */
export function encodeModel(model: Model): Uint8Array {
  const props: onnx.ModelProto.$Properties = {
    irVersion: numberToLong(model.irVersion),
    opsetImport: encodeOpsets(model.opsetImports),
    producerName: model.producerName || undefined,
    producerVersion: model.producerVersion || undefined,
    domain: model.domain || undefined,
    modelVersion: model.modelVersion ? numberToLong(model.modelVersion) : undefined,
    docString: model.docString || undefined,
    graph: encodeGraph(model.graph),
    metadataProps: recordToEntries(model.metadata),
    trainingInfo: model.trainingInfo.map(encodeTrainingInfo),
    functions: model.functions.map(encodeFunction),
  };
  return pbEncode.ModelProto.encode(props).finish();
}

import { cloneGraph, pruneGraph } from '../artifacts/forward-graph.js';
import type { Graph, Model, Node, TensorData } from '../../onnx/ir.js';
import { findHead } from './find-head.js';

/** Name of the head model's input: the backbone's features. */
export const FEATURES = 'features';

/** A classifier cut before its last dense layer (see {@link splitAtHead}). */
export interface SplitModel {
  /** The model up to the head's input: one output, {@link FEATURES}-shaped `[N, featureCount]`. */
  backbone: Model;
  /** The head alone: input `features` `[N, featureCount]`, the model's output (Softmax and all) as output. */
  head: Model;
  /** The value the head reads in the full model. */
  featureValue: string;
  featureCount: number;
  /** The head's initializer names (what head-only fine-tuning trains). */
  headParameters: string[];
}

/**
 * Cuts a classifier before its last dense layer (the Gemm, or MatMul + Add, {@link findHead} finds): a
 * frozen backbone then runs once per image and only the head trains on its outputs (docs/FINETUNING.md,
 * "A frozen backbone"). Both parts keep the model's opsets, names and metadata; the input model is not
 * changed. Throws RangeError when the head's input is not a `[N, features]` matrix.
 */
export function splitAtHead(model: Model, output?: string): SplitModel {
  if (!model || typeof model !== 'object' || !model.graph) throw new TypeError('splitAtHead: model must be an onnxkit Model');
  const head = findHead(model.graph, output);
  const featureValue = head.node.inputs[0];
  const target = head.chain[head.chain.length - 1];
  const declared = [...model.graph.valueInfo, ...model.graph.outputs].find((v) => v.name === featureValue);
  const declaredShape = declared?.type?.kind === 'tensor' ? declared.type.shape : undefined;
  if (head.kind === 'matmul' && declaredShape && declaredShape.length !== 2) {
    throw new RangeError(`splitAtHead: the head's input '${featureValue}' has rank ${declaredShape.length}; a frozen backbone needs [N, features]`);
  }

  const backboneGraph = cloneGraph(model.graph);
  const batch = model.graph.inputs[0]?.type?.kind === 'tensor' ? (model.graph.inputs[0].type.shape?.[0] ?? 'N') : 'N';
  backboneGraph.outputs = [{ name: featureValue, type: { kind: 'tensor', dtype: 'float32', shape: [batch, head.features] } }];
  pruneGraph(backboneGraph);
  if (!backboneGraph.nodes.some((n) => n.outputs.includes(featureValue))) {
    throw new RangeError(`splitAtHead: the head reads '${featureValue}' straight from an input; there is no backbone to freeze`);
  }

  // The head: the dense layer, its bias Add and weight Reshape, and the pass-through ops after it.
  const headNodes = new Set<Node>([head.node, ...(head.add ? [head.add] : []), ...(head.weight.reshape ? [head.weight.reshape.node] : [])]);
  const chain = new Set(head.chain.slice(1));
  for (const n of model.graph.nodes) if (n.outputs.some((o) => chain.has(o))) headNodes.add(n);
  const used = new Set([...headNodes].flatMap((n) => n.inputs));
  const initializers: TensorData[] = model.graph.initializers.filter((t) => used.has(t.name));
  const rename = (v: string) => (v === featureValue ? FEATURES : v);
  const headGraph: Graph = {
    ...cloneGraph(model.graph),
    name: `${model.graph.name || 'model'}_head`,
    nodes: model.graph.nodes.filter((n) => headNodes.has(n)).map((n) => ({ ...n, inputs: n.inputs.map(rename), outputs: [...n.outputs], attributes: { ...n.attributes } })),
    inputs: [{ name: FEATURES, type: { kind: 'tensor', dtype: 'float32', shape: [batch, head.features] } }],
    outputs: model.graph.outputs.filter((o) => o.name === target).map((o) => ({ ...o })),
    initializers,
    sparseInitializers: [],
    valueInfo: model.graph.valueInfo.filter((v) => chain.has(v.name)).map((v) => ({ ...v })),
  };
  return {
    backbone: { ...model, graph: backboneGraph, trainingInfo: [] },
    head: { ...model, graph: headGraph, trainingInfo: [] },
    featureValue,
    featureCount: head.features,
    headParameters: [head.weight.initializer.name, ...(head.bias ? [head.bias.name] : [])],
  };
}

/**
 * The full model with its head's initializers taken from a trained head model (same names, as
 * {@link splitAtHead} made it); metadata of the head (labels, model card) wins. RangeError when a head
 * initializer is missing or has other dims.
 */
export function mergeHead(model: Model, head: Model): Model {
  const trained = new Map(head.graph.initializers.map((t) => [t.name, t]));
  const names = new Set(model.graph.initializers.map((t) => t.name));
  for (const [name, t] of trained) {
    if (!names.has(name)) continue;
    const own = model.graph.initializers.find((x) => x.name === name)!;
    if (own.dims.join() !== t.dims.join()) throw new RangeError(`mergeHead: '${name}' has dims [${t.dims.join(', ')}] in the head, [${own.dims.join(', ')}] in the model`);
  }
  const graph = cloneGraph(model.graph);
  graph.initializers = graph.initializers.map((t) => trained.get(t.name) ?? t);
  return { ...model, graph, metadata: { ...model.metadata, ...head.metadata } };
}

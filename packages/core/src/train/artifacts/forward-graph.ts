import { removeDeadCode } from '../../onnx/graph-edit.js';
import { GraphBuilder } from '../../onnx/builder.js';
import type { DataType } from '../../onnx/dtype.js';
import type { Dim, Graph, Model, TensorData, Value } from '../../onnx/ir.js';
import { upgradeOpset } from '../../onnx/upgrade-opset.js';

/** A copy of `graph` that can be edited without touching the caller's model (tensor data is shared). */
export function cloneGraph(graph: Graph): Graph {
  const value = (v: Value): Value => ({ ...v });
  return {
    ...graph,
    nodes: graph.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: { ...n.attributes } })),
    inputs: graph.inputs.map(value),
    outputs: graph.outputs.map(value),
    initializers: [...graph.initializers],
    sparseInitializers: [...graph.sparseInitializers],
    valueInfo: graph.valueInfo.map(value),
  };
}

/**
 * Frees the artifact names (`labels`, `loss`, `<param>_grad`, …) for the artifacts: a model input
 * or output with such a name is an error; an intermediate value is renamed. Returns the renames.
 */
export function reserveNames(graph: Graph, reserved: ReadonlySet<string>): Map<string, string> {
  for (const v of [...graph.inputs, ...graph.outputs]) {
    if (reserved.has(v.name)) throw new RangeError(`generateArtifacts: the model has an input or output named '${v.name}', a name the artifacts need`);
  }
  const used = new Set<string>();
  for (const n of graph.nodes) n.outputs.forEach((o) => used.add(o));
  for (const t of graph.initializers) used.add(t.name);
  const renames = new Map<string, string>();
  for (const name of reserved) {
    if (!used.has(name)) continue;
    let k = 1;
    while (used.has(`${name}__model${k}`) || reserved.has(`${name}__model${k}`)) k++;
    renames.set(name, `${name}__model${k}`);
  }
  if (renames.size === 0) return renames;
  const r = (s: string) => renames.get(s) ?? s;
  for (const n of graph.nodes) {
    n.inputs = n.inputs.map(r);
    n.outputs = n.outputs.map(r);
  }
  graph.initializers = graph.initializers.map((t) => (renames.has(t.name) ? { ...t, name: r(t.name) } : t));
  for (const v of graph.valueInfo) v.name = r(v.name);
  return renames;
}

/** The forward graph of `model` in a builder at opset `to`, parameters turned into graph inputs. */
export interface ForwardGraph {
  b: GraphBuilder;
  renames: Map<string, string>;
}

/**
 * Clones the model's graph into a builder at opset `to`, upgrades its nodes from `from`, and lays out
 * the inputs as the artifacts want them: the data inputs, then `extraInputs` (e.g. `labels`), then
 * each trainable parameter (removed from the initializers). Initializers stop being graph inputs;
 * the graph has no outputs yet.
 */
export function forwardGraph(
  model: Model,
  from: number,
  to: number,
  options: {
    reserved: ReadonlySet<string>;
    trainable: readonly TensorData[];
    extraInputs: readonly { name: string; dtype: DataType; shape?: Dim[] }[];
    rankOf: (name: string) => number | undefined;
  },
): ForwardGraph {
  const graph = cloneGraph(model.graph);
  const renames = reserveNames(graph, options.reserved);
  const extraOpsets = model.opsetImports.filter((o) => o.domain !== '' && o.domain !== 'ai.onnx');
  const b = new GraphBuilder({ opset: to, graph, extraOpsets });
  upgradeOpset(b, from, (name) => options.rankOf(name));

  const initializers = new Set(b.graph.initializers.map((t) => t.name));
  const trainable = new Set(options.trainable.map((t) => t.name));
  b.graph.inputs = b.graph.inputs.filter((v) => !initializers.has(v.name));
  for (const extra of options.extraInputs) {
    if (b.uniqueName(extra.name) !== extra.name) throw new RangeError(`generateArtifacts: the name '${extra.name}' is already used`);
    b.graph.inputs.push({ name: extra.name, type: { kind: 'tensor', dtype: extra.dtype, ...(extra.shape ? { shape: [...extra.shape] } : {}) } });
  }
  for (const t of options.trainable) b.graph.inputs.push({ name: t.name, type: { kind: 'tensor', dtype: t.dtype, shape: [...t.dims] } });
  b.graph.initializers = b.graph.initializers.filter((t) => !trainable.has(t.name));
  // Each artifact declares its own outputs.
  b.graph.outputs = [];
  return { b, renames };
}

/**
 * Drops nodes, initializers and value infos no graph output needs (e.g. a Softmax the loss reads
 * around). Graph inputs are kept: they are the artifact's contract. (The optimiser's dead-code pass.)
 */
export function pruneGraph(graph: Graph): void {
  removeDeadCode(graph);
}

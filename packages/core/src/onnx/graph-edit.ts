import type { Graph, Model, Node, TensorData, Value } from './ir.js';
import { makeTensor } from './tensor.js';

/**
 * Small editing helpers the graph passes share. Passes work on a copy made by {@link cloneModel}:
 * nodes, values and lists are copied, tensor data is shared and never written in place.
 */

/** A copy of `model` whose graph can be edited without touching the caller's model. */
export function cloneModel(model: Model): Model {
  const g = model.graph;
  const value = (v: Value): Value => ({ ...v });
  return {
    ...model,
    opsetImports: model.opsetImports.map((o) => ({ ...o })),
    metadata: { ...model.metadata },
    graph: {
      ...g,
      nodes: g.nodes.map(cloneNode),
      inputs: g.inputs.map(value),
      outputs: g.outputs.map(value),
      initializers: [...g.initializers],
      sparseInitializers: [...g.sparseInitializers],
      valueInfo: g.valueInfo.map(value),
    },
  };
}

/** A copy of a node (attribute values shared). */
export function cloneNode(n: Node): Node {
  return { ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: { ...n.attributes } };
}

/** The node producing each value. */
export function producers(graph: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o) map.set(o, n);
  return map;
}

/** The nodes reading each value (a node reading a value twice is listed once). */
export function consumers(graph: Graph): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const n of graph.nodes) {
    for (const i of new Set(n.inputs)) {
      if (!i) continue;
      const list = map.get(i);
      if (list) list.push(n);
      else map.set(i, [n]);
    }
  }
  return map;
}

/** The ai.onnx opset version the model imports. */
export function modelOpset(model: Model): number {
  return model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 1;
}

/**
 * Names read inside subgraphs (If/Loop/Scan bodies). Passes leave such values alone: renaming or
 * removing them would have to reach into the bodies.
 */
export function subgraphReads(graph: Graph): Set<string> {
  const names = new Set<string>();
  const visit = (g: Graph) => {
    for (const n of g.nodes) {
      for (const i of n.inputs) if (i) names.add(i);
      visitAttrs(n);
    }
  };
  const visitAttrs = (n: Node) => {
    for (const a of Object.values(n.attributes)) {
      if (a.type === 'graph') visit(a.value);
      else if (a.type === 'graphs') a.value.forEach(visit);
    }
  };
  for (const n of graph.nodes) visitAttrs(n);
  return names;
}

/** Replaces every read of `from` by `to` (node inputs and graph outputs). */
export function replaceUses(graph: Graph, from: string, to: string): void {
  for (const n of graph.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
  for (const v of graph.outputs) if (v.name === from) v.name = to;
}

/** Renames a value everywhere in the main graph: its producer, its readers, outputs and value infos. */
export function renameValue(graph: Graph, from: string, to: string): void {
  for (const n of graph.nodes) {
    n.inputs = n.inputs.map((i) => (i === from ? to : i));
    n.outputs = n.outputs.map((o) => (o === from ? to : o));
  }
  for (const v of [...graph.outputs, ...graph.valueInfo]) if (v.name === from) v.name = to;
}

/** A value name not used anywhere in the graph, derived from `base`. */
export function freshName(graph: Graph, base: string, taken?: Set<string>): string {
  const used = taken ?? usedNames(graph);
  let name = base;
  for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
  used.add(name);
  return name;
}

/** Every value and initializer name of the main graph. */
export function usedNames(graph: Graph): Set<string> {
  const used = new Set<string>();
  for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) used.add(v.name);
  for (const t of graph.initializers) used.add(t.name);
  for (const n of graph.nodes) {
    for (const o of n.outputs) used.add(o);
    for (const i of n.inputs) used.add(i);
    if (n.name) used.add(n.name);
  }
  return used;
}

/**
 * The constant value of `name`, if it has one: an initializer that is not also a graph input (a
 * graph input may override it), or the output of a Constant node.
 */
export function constantOf(graph: Graph, name: string, byProducer?: Map<string, Node>): TensorData | undefined {
  if (!name) return undefined;
  if (graph.inputs.some((v) => v.name === name)) return undefined;
  const init = graph.initializers.find((t) => t.name === name);
  if (init) return init.external ? undefined : init;
  const node = (byProducer ?? producers(graph)).get(name);
  return node?.opType === 'Constant' && (node.domain === '' || node.domain === 'ai.onnx') ? constantNodeValue(node) : undefined;
}

/** The tensor a Constant node produces, or undefined for a sparse value. */
export function constantNodeValue(node: Node): TensorData | undefined {
  const name = node.outputs[0];
  const at = node.attributes;
  const a = at.value ?? at.value_float ?? at.value_floats ?? at.value_int ?? at.value_ints ?? at.value_string ?? at.value_strings;
  if (!a) return undefined;
  switch (a.type) {
    case 'tensor':
      return a.value.external ? undefined : { ...a.value, name };
    case 'float':
      return makeTensor(name, 'float32', [], [a.value]);
    case 'floats':
      return makeTensor(name, 'float32', [a.value.length], a.value);
    case 'int':
      return makeTensor(name, 'int64', [], [a.value]);
    case 'ints':
      return makeTensor(name, 'int64', [a.value.length], a.value);
    case 'string':
      return makeTensor(name, 'string', [], [a.value] as unknown as string[]);
    case 'strings':
      return makeTensor(name, 'string', [a.value.length], a.value);
    default:
      return undefined;
  }
}

/**
 * Drops nodes whose outputs nobody reads (and that are no graph output), initializers nothing reads
 * and value infos of values that no longer exist. Returns how many nodes were dropped.
 */
export function removeDeadCode(graph: Graph): number {
  const inner = subgraphReads(graph);
  const needed = new Set<string>([...graph.outputs.map((o) => o.name), ...inner]);
  const kept: Node[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    if (!n.outputs.some((o) => o && needed.has(o))) continue;
    kept.push(n);
    for (const input of n.inputs) if (input) needed.add(input);
  }
  const dropped = graph.nodes.length - kept.length;
  graph.nodes = kept.reverse();
  const produced = new Set(graph.nodes.flatMap((n) => n.outputs));
  const inputs = new Set(graph.inputs.map((v) => v.name));
  graph.initializers = graph.initializers.filter((t) => needed.has(t.name) || inputs.has(t.name));
  graph.valueInfo = graph.valueInfo.filter((v) => produced.has(v.name));
  return dropped;
}

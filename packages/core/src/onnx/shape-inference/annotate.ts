import type { Model, Value, ValueType } from '../ir.js';
import { inferShapes, type InferShapesOptions } from './infer-shapes.js';

/**
 * A copy of `model` whose `graph.valueInfo` lists the inferred type of every node output that is
 * not a graph output, and whose graph outputs carry the inferred type where they declared none (or
 * no shape). The input model is not changed.
 */
export function annotateShapes(model: Model, options: InferShapesOptions = {}): Model {
  const types = inferShapes(model, options);
  const g = model.graph;
  const outputNames = new Set(g.outputs.map((v) => v.name));
  const inputNames = new Set(g.inputs.map((v) => v.name));
  const previous = new Map(g.valueInfo.map((v) => [v.name, v]));
  const valueInfo: Value[] = [];
  const seen = new Set<string>();
  for (const node of g.nodes) {
    for (const name of node.outputs) {
      if (!name || seen.has(name) || outputNames.has(name) || inputNames.has(name)) continue;
      seen.add(name);
      const type = types.get(name);
      const old = previous.get(name);
      if (type) valueInfo.push({ ...old, name, type });
      else if (old) valueInfo.push(old);
    }
  }
  const outputs = g.outputs.map((v): Value => {
    const inferred = types.get(v.name);
    return inferred && lacksShape(v.type) ? { ...v, type: inferred } : v;
  });
  return { ...model, graph: { ...g, valueInfo, outputs } };
}

function lacksShape(t: ValueType | undefined): boolean {
  return !t || (t.kind === 'tensor' && (!t.shape || t.shape.some((d) => d === null)));
}

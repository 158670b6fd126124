import { ConvertError } from '../errors.js';
import type { LayerCall, ModelGraph, TensorRef } from './types.js';

/** Keras classes of a model used as a layer. */
export const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

const key = (r: TensorRef) => `${r.layer}\u0000${r.node}\u0000${r.index}`;

/**
 * Replaces each nested model call (a Sequential backbone inside a Functional model, a base model inside
 * a Sequential, as transfer-learning notebooks build them) by the nested model's own layer calls: its
 * inputs wired to the call's inputs, readers of its outputs to the nested outputs. `parse` reads the
 * nested config (and inlines what it nests in turn). Layer names must stay unique across the levels.
 */
export function inlineNested(graph: ModelGraph, parse: (modelConfig: Record<string, unknown>) => ModelGraph): ModelGraph {
  if (!graph.calls.some((c) => MODEL_CLASSES.has(c.layer.className))) return graph;
  const redirect = new Map<string, TensorRef>();
  const resolve = (r: TensorRef) => redirect.get(key(r)) ?? r;
  const names = new Set(graph.layers.map((l) => l.name));
  const calls: LayerCall[] = [];
  const layers = [...graph.layers];
  for (const call of graph.calls) {
    if (!MODEL_CLASSES.has(call.layer.className)) {
      calls.push({ ...call, inputs: call.inputs.map(resolve) });
      continue;
    }
    const where = `nested model '${call.layer.name}' (${call.layer.className})`;
    if (call.node > 0) throw new ConvertError('unsupported-layer', `${where} is called more than once (a shared nested model)`);
    const inner = parse({ class_name: call.layer.className, config: call.layer.config });
    if (inner.inputs.length !== call.inputs.length) {
      throw new ConvertError('invalid-config', `${where} takes ${inner.inputs.length} inputs but is called on ${call.inputs.length}`);
    }
    const wired = new Map(inner.inputs.map((input, j) => [key(input.ref), resolve(call.inputs[j])]));
    const rewire = (r: TensorRef) => wired.get(key(r)) ?? r;
    for (const layer of inner.layers) {
      if (layer.className === 'InputLayer') continue;
      if (names.has(layer.name)) throw new ConvertError('invalid-config', `${where} holds a layer named '${layer.name}', a name the outer model also uses`);
      names.add(layer.name);
      layers.push(layer);
    }
    for (const c of inner.calls) calls.push({ ...c, inputs: c.inputs.map(rewire) });
    inner.outputs.forEach((o, i) => redirect.set(key({ layer: call.layer.name, node: call.node, index: i }), rewire(o)));
  }
  return { ...graph, layers, calls, outputs: graph.outputs.map(resolve) };
}

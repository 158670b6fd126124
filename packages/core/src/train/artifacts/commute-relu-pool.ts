import type { Graph } from '../../onnx/ir.js';

import { isDefaultDomain } from '../../onnx/default-domain.js';

/**
 * Rewrites `MaxPool(Relu(x))` as `Relu(MaxPool(x))` wherever the Relu's output feeds that MaxPool
 * alone (and is no graph output). Relu is monotone, so the values are equal; so are the gradients
 * (a window whose maximum is ≤ 0 gets no gradient either way, and a positive maximum is the same
 * first maximum of x and of Relu(x)). The Relu and its backward then run on the pooled tensor, a
 * quarter of the size for 2×2 pooling. Edits `graph` in place; returns how many pairs were rewritten.
 */
export function commuteReluMaxPool(graph: Graph): number {
  const consumers = new Map<string, number>();
  for (const n of graph.nodes) for (const v of n.inputs) if (v) consumers.set(v, (consumers.get(v) ?? 0) + 1);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const producer = new Map(graph.nodes.map((n, i) => [n.outputs[0], i] as const));
  let rewritten = 0;
  graph.nodes.forEach((pool, p) => {
    if (pool.opType !== 'MaxPool' || !isDefaultDomain(pool.domain) || pool.outputs.filter(Boolean).length !== 1) return;
    const r = producer.get(pool.inputs[0]);
    if (r === undefined) return;
    const relu = graph.nodes[r];
    if (relu.opType !== 'Relu' || !isDefaultDomain(relu.domain)) return;
    const between = relu.outputs[0];
    if (consumers.get(between) !== 1 || graphOutputs.has(between)) return;
    // The pooled value keeps its name (its consumers are untouched); the Relu's old output name now
    // holds the pooled raw values, and the Relu moves after the pool in node order.
    const pooled = pool.outputs[0];
    graph.nodes[r] = { ...pool, inputs: [relu.inputs[0], ...pool.inputs.slice(1)], outputs: [between] };
    graph.nodes[p] = { ...relu, inputs: [between], outputs: [pooled] };
    graph.valueInfo = graph.valueInfo.filter((v) => v.name !== between);
    rewritten++;
  });
  return rewritten;
}

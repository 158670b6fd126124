import type { Node } from '../../onnx/ir.js';

/**
 * Node indices in a topological order (stable: file order wherever the file is already sorted).
 * Throws a RangeError naming a node on a cycle.
 */
export function topologicalOrder(nodes: readonly Node[]): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const waiting = nodes.map((n) => new Set(n.inputs.map((v) => producer.get(v)).filter((p): p is number => p !== undefined)));
  const consumers = nodes.map(() => [] as number[]);
  waiting.forEach((deps, i) => deps.forEach((d) => consumers[d].push(i)));
  const order: number[] = [];
  const ready = nodes.map((_, i) => i).filter((i) => waiting[i].size === 0);
  // A min-heap is not worth it for graph sizes here: pick the lowest ready index each time.
  while (ready.length) {
    let best = 0;
    for (let k = 1; k < ready.length; k++) if (ready[k] < ready[best]) best = k;
    const i = ready.splice(best, 1)[0];
    order.push(i);
    for (const c of consumers[i]) {
      waiting[c].delete(i);
      if (waiting[c].size === 0) ready.push(c);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.findIndex((_, i) => waiting[i].size > 0);
    throw new RangeError(`autodiff: the graph has a cycle through node '${nodes[stuck].name || `#${stuck}`}'`);
  }
  return order;
}

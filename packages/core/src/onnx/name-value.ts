import type { GraphBuilder } from './builder.js';

/**
 * Gives the computed value `value` the name `name`: renames the producing node's output (and its
 * consumers) so outputs need no extra Identity node; a value no node produces (a graph input or
 * initializer) gets an Identity. Throws RangeError when `name` is taken.
 */
export function nameValue(b: GraphBuilder, value: string, name: string): string {
  if (value === name) return name;
  if (b.uniqueName(name) !== name) throw new RangeError(`artifacts: the name '${name}' is already used in graph '${b.graph.name}'`);
  const producer = b.graph.nodes.find((n) => n.outputs.includes(value));
  const isOutput = b.graph.outputs.some((o) => o.name === value);
  if (!producer || isOutput) {
    b.node('Identity', [value]);
    b.graph.nodes[b.graph.nodes.length - 1].outputs = [name];
    return name;
  }
  producer.outputs = producer.outputs.map((o) => (o === value ? name : o));
  for (const n of b.graph.nodes) n.inputs = n.inputs.map((i) => (i === value ? name : i));
  for (const v of b.graph.valueInfo) if (v.name === value) v.name = name;
  return name;
}

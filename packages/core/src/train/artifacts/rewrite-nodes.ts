import type { Graph, Node } from '../../onnx/ir.js';

/** Builds the nodes of a graph rewrite: its int64 constants go to the graph's initializers. */
export interface RewriteNodes {
  /** The nodes made so far, in order. */
  readonly nodes: Node[];
  /** A new int64 initializer of `values`; returns its name. */
  constant(base: string, values: number[]): string;
  /** Appends a default-domain node with one output (a fresh name unless `output` is given); returns the output. */
  op(opType: string, inputs: string[], attributes?: Node['attributes'], output?: string): string;
}

/** A {@link RewriteNodes} over `graph`; `name` makes the fresh names (of values, nodes and constants). */
export function rewriteNodes(graph: Graph, name: (base: string) => string): RewriteNodes {
  const nodes: Node[] = [];
  return {
    nodes,
    constant(base, values) {
      const n = name(base);
      graph.initializers.push({ name: n, dtype: 'int64', dims: [values.length], data: BigInt64Array.from(values, BigInt) });
      return n;
    },
    op(opType, inputs, attributes = {}, output = name(opType.toLowerCase())) {
      nodes.push({ opType, domain: '', name: name(`${opType.toLowerCase()}_node`), inputs, outputs: [output], attributes });
      return output;
    },
  };
}

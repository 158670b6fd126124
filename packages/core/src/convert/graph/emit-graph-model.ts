import { GraphBuilder } from '../../onnx/builder.js';
import { ConvertError } from '../errors.js';
import { EmitContext } from '../emit/context.js';
import { emitInput, emitOutput, selectByName, type EmitOptions, type EmittedGraph } from '../emit/emit-graph.js';
import type { WeightSource } from '../topology/types.js';
import { parseOutputRef, readConst, type GraphNode } from './graph-def.js';
import { CONV_OPS } from './ops/conv.js';
import { MATH_OPS } from './ops/math.js';
import { POOL_OPS } from './ops/pool.js';
import { SHAPE_OPS } from './ops/shape.js';
import { SHAPE_VALUE_OPS } from './ops/shape-values.js';
import { opArgs, tensorValue, type GraphValue, type OpConverter } from './values.js';

/** Every TensorFlow op converter, by op name (Placeholder and Const are handled by the graph walk). */
export const GRAPH_OPS: Readonly<Record<string, OpConverter>> = Object.freeze({ ...CONV_OPS, ...MATH_OPS, ...POOL_OPS, ...SHAPE_OPS, ...SHAPE_VALUE_OPS });

/** TensorFlow ops onnxkit converts, sorted. */
export function supportedGraphOps(): string[] {
  return ['Const', 'Placeholder', ...Object.keys(GRAPH_OPS)].sort();
}

/** A graph model's inputs and outputs: from its signature when it has one, else its Placeholders and unread nodes. */
export interface GraphSignature {
  inputs: string[];
  outputs: string[];
}

/**
 * Emits a TF.js graph model's GraphDef as ONNX: the nodes the outputs depend on, in dependency order.
 * Throws one ConvertError `'unsupported-op'` listing every op without a converter, with its count.
 */
export function emitGraphModel(nodes: Map<string, GraphNode>, signature: GraphSignature, weights: WeightSource, name: string, options: EmitOptions): EmittedGraph {
  const order = dependencyOrder(nodes, signature.outputs);
  checkOps(order);
  const builder = new GraphBuilder({ opset: options.opset, name });
  const ctx = new EmitContext(builder, weights);
  const values = new Map<string, GraphValue>();
  const inputs = signature.inputs.map((input) => {
    const node = nodes.get(parseOutputRef(input).node);
    if (!node || node.op !== 'Placeholder') throw new ConvertError('invalid-config', `the graph model's input '${input}' is not a Placeholder node`);
    const { tensor, value } = emitInput(ctx, node.name, placeholderShape(node), options.layout);
    values.set(node.name, tensorValue(tensor));
    return value;
  });
  const lookup = (ref: string): GraphValue => {
    const { node, index } = parseOutputRef(ref);
    const v = values.get(node);
    if (!v) throw new ConvertError('invalid-config', `a node reads '${ref}', which the graph never computes`);
    if (index !== 0) throw new ConvertError('unsupported-op', `a node reads output ${index} of '${node}' (${nodes.get(node)?.op}); only first outputs are supported`);
    return v;
  };
  for (const node of order) {
    if (values.has(node.name)) continue;
    if (node.op === 'Placeholder') throw new ConvertError('invalid-config', `${node.where}: a Placeholder that is not a model input`);
    values.set(node.name, node.op === 'Const' ? { kind: 'const', value: readConst(node, weights), node: node.name } : GRAPH_OPS[node.op](opArgs(node, ctx, lookup)));
  }
  const renamed = new Map<string, string>();
  const outputs = selectByName(signature.outputs, (o) => parseOutputRef(o).node, options.outputs).map((ref) => {
    const v = lookup(ref);
    if (v.kind !== 'tensor') throw new ConvertError('unsupported-op', `the graph model's output '${ref}' is a constant or a shape, not a computed tensor`);
    return emitOutput(ctx, v.tensor, parseOutputRef(ref).node, renamed);
  });
  return { builder, inputs, outputs };
}

/** Placeholder `shape` attribute (-1 → unknown); the input must be float32. */
function placeholderShape(node: GraphNode): (number | null)[] {
  const dtype = (node.attrs.attr.dtype as { type?: unknown } | undefined)?.type;
  if (dtype !== undefined && dtype !== 'DT_FLOAT' && dtype !== 1) throw node.attrs.unsupported(`an input of type ${JSON.stringify(dtype)} (float32 inputs only)`);
  const dims = (node.attrs.attr.shape as { shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean } } | undefined)?.shape;
  if (!dims || dims.unknownRank || !Array.isArray(dims.dim)) throw new ConvertError('invalid-config', `${node.where}: the input has no static rank`);
  return dims.dim.map((d) => {
    const n = Number(d.size ?? -1);
    if (!Number.isSafeInteger(n) || n < -1) throw new ConvertError('invalid-config', `${node.where}: bad input dimension ${JSON.stringify(d)}`);
    return n === -1 ? null : n;
  });
}

/** The nodes `outputs` depend on, each after its inputs (iterative: graphs are deep). */
function dependencyOrder(nodes: Map<string, GraphNode>, outputs: string[]): GraphNode[] {
  const order: GraphNode[] = [];
  const state = new Map<string, 'open' | 'done'>();
  for (const out of outputs) {
    const stack: { node: GraphNode; next: number }[] = [];
    const push = (ref: string, from: string) => {
      const name = parseOutputRef(ref).node;
      const node = nodes.get(name);
      if (!node) throw new ConvertError('invalid-config', `${from} reads '${name}', which the graph does not have`);
      const s = state.get(name);
      if (s === 'done') return;
      if (s === 'open') throw new ConvertError('invalid-config', `the graph has a cycle through '${name}' (control flow is not supported)`);
      state.set(name, 'open');
      stack.push({ node, next: 0 });
    };
    push(out, 'the model output');
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next < top.node.inputs.length) push(top.node.inputs[top.next++], top.node.where);
      else {
        stack.pop();
        state.set(top.node.name, 'done');
        order.push(top.node);
      }
    }
  }
  return order;
}

function checkOps(order: GraphNode[]): void {
  const counts = new Map<string, number>();
  for (const n of order) if (n.op !== 'Const' && n.op !== 'Placeholder' && !(n.op in GRAPH_OPS)) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  if (counts.size === 0) return;
  const list = [...counts].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([op, n]) => `${op} ×${n}`);
  throw new ConvertError('unsupported-op', `cannot convert the graph model: unsupported TensorFlow ops ${list.join(', ')}. Supported ops: ${supportedGraphOps().join(', ')}`);
}

import { isDefaultDomain } from '../../onnx/default-domain.js';
import type { GraphBuilder } from '../../onnx/builder.js';
import { isFloatType } from '../../onnx/dtype.js';
import type { Node } from '../../onnx/ir.js';
import { Emitter } from './emitter.js';
import { GradientRuleError, MissingGradientRuleError } from './errors.js';
import { GraphInfo } from './graph-info.js';
import { NO_GRADIENT } from './no-gradient.js';
import { GRADIENT_RULES } from './rules/index.js';
import { topologicalOrder } from './topo-order.js';
import { PORTABLE_FEATURES, type GradientContext, type GradientOptions } from './types.js';


function checkOptions(options: GradientOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('appendBackward: options must be an object');
  if (typeof options.loss !== 'string') throw new TypeError("appendBackward: 'loss' must be a value name (string)");
  if (!Array.isArray(options.wrt) || options.wrt.some((w) => typeof w !== 'string')) {
    throw new TypeError("appendBackward: 'wrt' must be an array of value names");
  }
  if (options.seed !== undefined && typeof options.seed !== 'string') throw new TypeError("appendBackward: 'seed' must be a value name (string)");
  const f = options.features;
  if (f !== undefined && (typeof f !== 'object' || f === null || typeof f.maxPoolIndices !== 'boolean')) {
    throw new TypeError("appendBackward: 'features' must be an object like { maxPoolIndices: boolean }");
  }
  if (options.unreachable !== undefined && options.unreachable !== 'zeros' && options.unreachable !== 'error') {
    throw new RangeError(`appendBackward: 'unreachable' must be 'zeros' or 'error', got '${String(options.unreachable)}'`);
  }
}

/**
 * Appends the backward pass of `options.loss` to `builder.graph` (the forward nodes already there) with
 * standard ONNX ops only, and returns a map from each `wrt` name to the name of its gradient value (same
 * shape and type). Only nodes on a path from a `wrt` value to the loss are differentiated, and only the
 * inputs that lead back to a `wrt` value get gradients. Fan-out gradients are summed with binary `Add`s.
 * A `wrt` value the loss does not depend on gets zeros (`Expand` of a scalar 0 to its static shape, or to
 * `Shape(wrt)` when symbolic), or a RangeError with `unreachable: 'error'`.
 *
 * @throws MissingGradientRuleError for an op on the gradient path with no rule (not in NO_GRADIENT).
 * @throws GradientRuleError when a rule cannot handle a node's configuration.
 */
export function appendBackward(builder: GraphBuilder, options: GradientOptions): Map<string, string> {
  checkOptions(options);
  if (builder.opset < 11) throw new RangeError(`appendBackward: the backward pass needs opset >= 11, the builder is at opset ${builder.opset}`);
  const { loss, wrt, seed } = options;
  const graph = builder.graph;
  const opset = options.forwardOpset ?? builder.opset;
  const info = new GraphInfo(graph, opset, options.shapeOf);
  for (const [what, name] of [['loss', loss], ...wrt.map((w) => ['wrt', w]), ...(seed ? [['seed', seed]] : [])]) {
    if (!info.has(name)) throw new RangeError(`appendBackward: '${what}' names '${name}', which is not a value of the graph`);
  }
  for (const name of [loss, ...wrt]) {
    const t = info.dtypeOf(name);
    if (!isFloatType(t)) throw new TypeError(`appendBackward: '${name}' has type ${t}; gradients need a float type`);
  }
  if (!seed) {
    const s = info.shapeOf(loss);
    if (s && !(s.length === 0 || (s.length === 1 && s[0] === 1))) {
      throw new RangeError(`appendBackward: 'loss' '${loss}' has shape [${s.join(', ')}]; it must be a scalar ([] or [1]) unless 'seed' is given`);
    }
  }

  const forward = graph.nodes.slice();
  const order = topologicalOrder(forward);
  const differentiable = (n: Node) => !(isDefaultDomain(n.domain) && NO_GRADIENT.has(n.opType));

  // Values that depend on a wrt value through differentiable float edges.
  const depends = new Set(wrt);
  for (const i of order) {
    const n = forward[i];
    if (!differentiable(n) || !n.inputs.some((v) => depends.has(v))) continue;
    for (const o of n.outputs) if (o && isFloatType(info.dtypeOf(o))) depends.add(o);
  }
  // Of those, the ones the loss depends on; and the nodes between.
  const onPath = new Set<string>(depends.has(loss) ? [loss] : []);
  const relevant: number[] = [];
  for (const i of [...order].reverse()) {
    const n = forward[i];
    if (!differentiable(n) || !n.outputs.some((o) => onPath.has(o))) continue;
    const ins = n.inputs.filter((v) => depends.has(v));
    if (!ins.length) continue;
    relevant.push(i);
    for (const v of ins) onPath.add(v);
  }

  const emit = new Emitter(builder);
  const contributions = new Map<string, string[]>();
  const total = (v: string): string | undefined => {
    const parts = contributions.get(v);
    if (!parts?.length) return undefined;
    const sum = parts.reduce((acc, p) => emit.add(acc, p));
    contributions.set(v, [sum]);
    return sum;
  };
  if (onPath.has(loss)) contributions.set(loss, [seed ?? ones(emit, info, loss)]);

  const path = `from [${wrt.join(', ')}] to '${loss}'`;
  const features = options.features ?? PORTABLE_FEATURES;
  for (const i of relevant) {
    let node = forward[i];
    const outputGrads = node.outputs.map((o) => (o && onPath.has(o) ? total(o) : undefined));
    if (!outputGrads.some(Boolean)) continue;
    const nodeName = node.name || `#${i}`;
    const rule = isDefaultDomain(node.domain) ? GRADIENT_RULES[node.opType] : undefined;
    if (!rule) throw new MissingGradientRuleError(node, nodeName, path);
    const needs = node.inputs.map((v) => !!v && onPath.has(v));
    const ctx: GradientContext = {
      node,
      nodeName,
      builder,
      emit,
      outputGrads,
      needs,
      opset,
      features,
      shapeOf: (name) => info.shapeOf(name),
      rankOf: (name) => info.shapeOf(name)?.length,
      dtypeOf: (name) => info.dtypeOf(name),
      constantOf: (name) => info.constantOf(name),
      staticInts: (name) => {
        const v = info.staticElements(name);
        return v?.every((e) => e !== null) ? (v as number[]) : undefined;
      },
      requireOutput: (index) => {
        if (node.outputs[index]) return node.outputs[index];
        const outputs = [...node.outputs];
        while (outputs.length <= index) outputs.push('');
        outputs[index] = builder.uniqueName(`${node.outputs[0]}_out${index}`);
        const at = graph.nodes.indexOf(node);
        node = { ...node, outputs };
        graph.nodes[at] = node;
        return outputs[index];
      },
      fail: (reason) => {
        throw new GradientRuleError(node.opType, nodeName, reason);
      },
    };
    const grads = rule(ctx);
    node.inputs.forEach((v, k) => {
      const g = needs[k] ? grads[k] : undefined;
      if (!g) return;
      const list = contributions.get(v) ?? [];
      list.push(g);
      contributions.set(v, list);
    });
  }

  const result = new Map<string, string>();
  for (const w of wrt) {
    const g = total(w);
    if (g) {
      result.set(w, g);
      continue;
    }
    if (options.unreachable === 'error') throw new RangeError(`appendBackward: loss '${loss}' does not depend on wrt value '${w}'`);
    result.set(w, zeros(emit, info, w));
  }
  return result;
}

/** dLoss/dLoss: ones shaped like the loss. */
function ones(emit: Emitter, info: GraphInfo, loss: string): string {
  const dtype = info.dtypeOf(loss);
  const s = info.shapeOf(loss);
  if (s && s.every((d) => typeof d === 'number')) return emit.floats(dtype, new Array<number>(s.reduce<number>((p, d) => p * (d as number), 1)).fill(1), s as number[]);
  return emit.op('Expand', [emit.scalar(1, dtype), emit.op('Shape', [loss])]);
}

/** Zeros shaped like `name`: a scalar 0 expanded to its static shape (runtime Shape when symbolic). */
function zeros(emit: Emitter, info: GraphInfo, name: string): string {
  const zero = emit.scalar(0, info.dtypeOf(name));
  const s = info.shapeOf(name);
  const shape = s && s.every((d) => typeof d === 'number') ? emit.ints(s as number[]) : emit.op('Shape', [name]);
  return emit.op('Expand', [zero, shape]);
}

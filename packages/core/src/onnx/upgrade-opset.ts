import type { AttributeInput } from './attributes.js';
import type { GraphBuilder } from './builder.js';
import type { Attribute, Node } from './ir.js';
import { REDUCE_OPS } from './shape-inference/rules/reduce.js';

/** The oldest ai.onnx opset whose models the artifacts accept (numpy broadcasting since 7). */
export const MIN_MODEL_OPSET = 7;

/** Reduce ops, with the opset from which `axes` is an input (shared with shape inference). */
const REDUCE_AXES_INPUT_SINCE = REDUCE_OPS;

/** Ops that no longer exist at the target opset and have no mechanical replacement. */
const REMOVED: ReadonlySet<string> = new Set([
  'Upsample', 'ImageScaler', 'Crop', 'Scale', 'ScaledTanh', 'GivenTensorFill', 'ParametricSoftplus', 'Affine',
]);

/**
 * Rewrites the ai.onnx nodes of `b.graph`, written for opset `from`, into the syntax of `b.opset`
 * (attributes that became inputs, Softmax's coerced-2D semantics before 13, renamed ops), so the
 * forward pass keeps its meaning inside the opset-17 artifacts. Throws RangeError for a node it
 * cannot carry over, naming it.
 */
export function upgradeOpset(b: GraphBuilder, from: number, rankOf: (name: string) => number | undefined): void {
  const to = b.opset;
  if (from < MIN_MODEL_OPSET) {
    throw new RangeError(`generateArtifacts: the model's ai.onnx opset ${from} is older than ${MIN_MODEL_OPSET}; convert it first (onnx.version_converter)`);
  }
  if (from >= to) return;
  const original = b.graph.nodes;
  b.graph.nodes = [];
  for (const node of original) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') b.graph.nodes.push(node);
    else upgradeNode(b, node, from, to, rankOf, original);
  }
}

function upgradeNode(
  b: GraphBuilder,
  node: Node,
  from: number,
  to: number,
  rankOf: (name: string) => number | undefined,
  all: readonly Node[],
): void {
  const fail = (why: string): never => {
    throw new RangeError(`generateArtifacts: cannot carry ${node.opType} node '${node.name}' from opset ${from} to ${to}: ${why}`);
  };
  const since = (v: number) => from < v && to >= v;
  const attrs = node.attributes;
  const take = (name: string): Attribute | undefined => {
    const a = attrs[name];
    delete attrs[name];
    return a;
  };
  const ints = (a: Attribute | undefined) => (a && (a.type === 'ints' || a.type === 'int') ? ([] as number[]).concat(a.value) : undefined);
  const num = (a: Attribute | undefined) => (a && (a.type === 'float' || a.type === 'int') ? a.value : undefined);
  const i64 = (values: number[]) => b.constant(`${node.name || node.opType}_i64`, 'int64', [values.length], values);
  const f32 = (value: number) => b.constant(`${node.name || node.opType}_f32`, 'float32', [], [value]);
  const pushInput = (index: number, name: string) => {
    while (node.inputs.length < index) node.inputs.push('');
    node.inputs[index] = name;
  };

  if (REMOVED.has(node.opType)) fail('the op does not exist at the target opset');
  if (Object.values(attrs).some((a) => a.type === 'graph' || a.type === 'graphs')) fail('control-flow subgraphs are not upgraded; re-export the model at opset >= 13');

  switch (node.opType) {
    case 'Softmax':
    case 'LogSoftmax':
    case 'Hardmax':
      if (since(13)) return upgradeCoercedSoftmax(b, node, rankOf);
      break;
    case 'Squeeze':
    case 'Unsqueeze':
      if (since(13)) {
        const axes = ints(take('axes'));
        if (axes) pushInput(1, i64(axes));
      }
      break;
    case 'Split':
      if (since(13)) {
        const split = ints(take('split'));
        if (split) pushInput(1, i64(split));
      }
      break;
    case 'Clip':
      if (since(11)) {
        const min = num(take('min'));
        const max = num(take('max'));
        if (min !== undefined) pushInput(1, f32(min));
        if (max !== undefined) pushInput(2, f32(max));
      }
      break;
    case 'Pad':
      if (since(11)) {
        const pads = ints(take('pads')) ?? fail("no 'pads' attribute");
        const value = num(take('value'));
        pushInput(1, i64(pads));
        if (value !== undefined && value !== 0) pushInput(2, f32(value));
      }
      break;
    case 'Dropout':
      take('is_test');
      if (since(12)) {
        const ratio = num(take('ratio'));
        if (ratio !== undefined) pushInput(1, f32(ratio));
      }
      break;
    case 'BatchNormalization':
      take('is_test');
      take('consumed_inputs');
      if (since(9) && num(take('spatial')) === 0) fail('spatial=0 has no equivalent after opset 9');
      if (since(14) && node.outputs.length > 1) {
        if (node.outputs.slice(1).some((o) => o && isConsumed(b, all, o))) fail('its training-mode outputs are used');
        node.outputs = node.outputs.slice(0, 1);
      }
      break;
    case 'Slice':
      if (since(10)) {
        const starts = ints(take('starts')) ?? fail("no 'starts' attribute");
        const ends = ints(take('ends')) ?? fail("no 'ends' attribute");
        const axes = ints(take('axes'));
        node.inputs = [node.inputs[0], i64(starts), i64(ends), ...(axes ? [i64(axes)] : [])];
      }
      break;
    case 'TopK':
      if (since(10)) pushInput(1, i64([num(take('k')) ?? fail("no 'k' attribute")]));
      break;
    case 'Resize':
      if (since(11)) fail('Resize-10 semantics differ; re-export the model at opset >= 11');
      break;
    case 'Scatter':
      if (to >= 11) node.opType = 'ScatterElements';
      break;
    case 'Gemm':
      take('broadcast');
      break;
    default: {
      const axesSince = REDUCE_AXES_INPUT_SINCE[node.opType];
      if (axesSince !== undefined && since(axesSince)) {
        const axes = ints(take('axes'));
        if (axes) pushInput(1, i64(axes));
      }
    }
  }
  b.graph.nodes.push(node);
}

/**
 * Before opset 13, Softmax/LogSoftmax/Hardmax flatten the input to 2-D at `axis` (default 1). When
 * that axis is the last one the meaning is the same as today's; otherwise Flatten → op → Reshape.
 */
function upgradeCoercedSoftmax(b: GraphBuilder, node: Node, rankOf: (name: string) => number | undefined): void {
  const x = node.inputs[0];
  const rank = rankOf(x);
  const a = node.attributes.axis;
  const axis = a && a.type === 'int' ? a.value : 1;
  const normalized = axis < 0 && rank !== undefined ? axis + rank : axis;
  if (rank !== undefined && normalized === rank - 1) {
    node.attributes.axis = { type: 'int', value: normalized };
    b.graph.nodes.push(node);
    return;
  }
  const flat = b.op('Flatten', [x], { axis: normalized });
  const attrs: Record<string, AttributeInput> = { axis: 1 };
  const applied = b.op(node.opType, [flat], attrs);
  b.node('Reshape', [applied, b.op('Shape', [x])], {}, { outputs: 0 });
  // Reuse the original output name so consumers stay wired.
  const reshape = b.graph.nodes[b.graph.nodes.length - 1];
  reshape.outputs = [node.outputs[0]];
  if (node.name) reshape.name = node.name;
}

function isConsumed(b: GraphBuilder, nodes: readonly Node[], value: string): boolean {
  return nodes.some((n) => n.inputs.includes(value)) || b.graph.outputs.some((o) => o.name === value);
}

import { intAttr, intsAttr } from '../../onnx/attributes.js';
import type { Graph, Node } from '../../onnx/ir.js';

/**
 * Whether a forward graph treats the samples of a batch (axis 0 of every data input) independently:
 * then the loss, a mean over samples, and its gradients over a whole batch equal the size-weighted
 * means over slices of it, and the Trainer may run the slices in parallel (data-parallel replicas).
 *
 * Decided per node by a table of the ops known to keep samples apart given their attributes; any
 * other op (BatchNormalization in training mode, a Reshape that moves the batch axis, a reduction
 * over it...) or an axis that cannot be read statically makes the graph not separable, which only
 * costs the parallel speed-up, never correctness.
 */
export function isBatchSeparable(graph: Graph, rankOf: (name: string) => number | undefined): boolean {
  const constants = new Map<string, readonly number[]>();
  for (const t of graph.initializers) {
    if (t.dtype === 'int64' || t.dtype === 'int32') constants.set(t.name, Array.from(t.data as ArrayLike<number | bigint>, Number));
  }
  for (const n of graph.nodes) {
    if (n.opType === 'Constant' && n.outputs[0]) {
      const value = n.attributes.value;
      const t = value?.type === 'tensor' ? value.value : undefined;
      if (t && (t.dtype === 'int64' || t.dtype === 'int32')) constants.set(n.outputs[0], Array.from(t.data as ArrayLike<number | bigint>, Number));
    }
  }
  const view: NodeView = { rankOf, constant: (name) => constants.get(name) };
  return graph.nodes.every((node) => (node.domain ?? '') === '' && (SEPARABLE[node.opType]?.(node, view) ?? false));
}

interface NodeView {
  rankOf(name: string): number | undefined;
  constant(name: string): readonly number[] | undefined;
}

type Rule = (node: Node, view: NodeView) => boolean;

const always: Rule = () => true;

/** True when `axis` (an attribute, possibly negative) is known and is not the batch axis. */
const axisAttrNotBatch =
  (name: string, fallback: number): Rule =>
  (node, view) => {
    const axis = intAttr(node, name, fallback);
    if (axis > 0) return true;
    if (axis === 0) return false;
    const rank = view.rankOf(node.inputs[0]);
    return rank !== undefined && axis + rank > 0;
  };

/** True when every axis (attribute or constant input) is known and none is the batch axis. */
const axesNotBatch =
  (inputIndex: number, emptyMeansAll: boolean): Rule =>
  (node, view) => {
    const fromInput = node.inputs[inputIndex] ? view.constant(node.inputs[inputIndex]) : undefined;
    if (node.inputs[inputIndex] && !fromInput) return false;
    const axes = fromInput ?? intsAttr(node, 'axes');
    if (!axes || axes.length === 0) return !emptyMeansAll || intAttr(node, 'noop_with_empty_axes', 0) === 1;
    const rank = view.rankOf(node.inputs[0]);
    return axes.every((a) => a > 0 || (a < 0 && rank !== undefined && a + rank > 0));
  };

// Elementwise ops: each output element reads the same position of its inputs (after broadcasting,
// which never mixes samples of one input).
const ELEMENTWISE = [
  'Abs', 'Add', 'And', 'Ceil', 'Clip', 'Cos', 'Div', 'Dropout', 'Elu', 'Equal', 'Erf', 'Exp', 'Floor', 'Gelu',
  'Greater', 'GreaterOrEqual', 'HardSigmoid', 'HardSwish', 'Identity', 'IsNaN', 'LeakyRelu', 'Less', 'LessOrEqual',
  'Log', 'Max', 'Mean', 'Min', 'Mish', 'Mul', 'Neg', 'Not', 'Or', 'Pow', 'PRelu', 'Reciprocal', 'Relu', 'Round',
  'Selu', 'Sigmoid', 'Sign', 'Sin', 'Softplus', 'Softsign', 'Sqrt', 'Sub', 'Sum', 'Tanh', 'ThresholdedRelu',
  'Where', 'Xor', 'Cast', 'CastLike',
] as const;

// Ops that work within each sample (spatial, channel or feature axes only).
const PER_SAMPLE = [
  'AveragePool', 'Conv', 'ConvTranspose', 'DepthToSpace', 'GlobalAveragePool', 'GlobalLpPool', 'GlobalMaxPool',
  'InstanceNormalization', 'LpNormalization', 'LRN', 'MaxPool', 'MaxUnpool', 'Resize', 'SpaceToDepth', 'Upsample',
  // Shape, Size and Constant feed Reshapes and Slices whose constant parts are checked where they are used.
  'Constant', 'Shape', 'Size',
] as const;

const SEPARABLE: Readonly<Record<string, Rule>> = Object.freeze({
  ...Object.fromEntries([...ELEMENTWISE, ...PER_SAMPLE].map((op) => [op, always])),
  // Inference-mode BatchNormalization uses stored statistics; training mode couples the batch.
  BatchNormalization: (node) => intAttr(node, 'training_mode', 0) === 0 && node.outputs.filter(Boolean).length === 1,
  Flatten: (node) => intAttr(node, 'axis', 1) >= 1,
  Softmax: axisAttrNotBatch('axis', -1),
  LogSoftmax: axisAttrNotBatch('axis', -1),
  Hardmax: axisAttrNotBatch('axis', -1),
  LayerNormalization: axisAttrNotBatch('axis', -1),
  Concat: axisAttrNotBatch('axis', 0),
  Gather: axisAttrNotBatch('axis', 0),
  Split: axisAttrNotBatch('axis', 0),
  ArgMax: axisAttrNotBatch('axis', 0),
  ArgMin: axisAttrNotBatch('axis', 0),
  Transpose: (node, view) => {
    const perm = intsAttr(node, 'perm');
    return perm !== undefined && perm[0] === 0 && view.rankOf(node.inputs[0]) !== undefined;
  },
  Squeeze: axesNotBatch(1, true),
  Unsqueeze: axesNotBatch(1, false),
  Slice: (node, view) => {
    if (node.inputs.length < 4) return intsAttr(node, 'axes') !== undefined && axesNotBatch(99, true)(node, view);
    return axesNotBatch(3, true)(node, view);
  },
  ReduceMean: axesNotBatch(1, true),
  ReduceSum: axesNotBatch(1, true),
  ReduceMax: axesNotBatch(1, true),
  ReduceMin: axesNotBatch(1, true),
  ReduceProd: axesNotBatch(1, true),
  ReduceL2: axesNotBatch(1, true),
  ReduceLogSumExp: axesNotBatch(1, true),
  ReduceSumSquare: axesNotBatch(1, true),
  // Gemm's rows are samples unless A is transposed; B and C are weights or broadcast rows.
  Gemm: (node) => intAttr(node, 'transA', 0) === 0,
  // MatMul keeps rows (and leading batch axes) of its first input apart when the second is rank 2
  // (weights); with a batched second input the leading axes pair up sample by sample.
  MatMul: (node, view) => {
    const a = view.rankOf(node.inputs[0]);
    const b = view.rankOf(node.inputs[1]);
    return a !== undefined && b !== undefined && a >= 2 && (b <= 2 || a === b);
  },
  // A Reshape keeps the batch axis when its shape is a constant whose first entry copies it (0), or is
  // -1 with every other entry fixed (the per-sample size is then the rest).
  Reshape: (node, view) => {
    const shape = view.constant(node.inputs[1]);
    if (!shape || shape.length === 0 || intAttr(node, 'allowzero', 0) === 1) return false;
    return shape[0] === 0 || (shape[0] === -1 && shape.slice(1).every((d) => d > 0));
  },
  Pad: (node, view) => {
    const pads = node.inputs[1] ? view.constant(node.inputs[1]) : intsAttr(node, 'pads');
    const rank = view.rankOf(node.inputs[0]);
    if (!pads || rank === undefined || node.inputs[3]) return false;
    return pads[0] === 0 && pads[rank] === 0;
  },
});

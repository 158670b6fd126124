import { intAttr } from '../../onnx/attributes.js';
import { producers } from '../../onnx/graph-edit.js';
import type { Graph, Node, TensorData } from '../../onnx/ir.js';
import { tensorToNumbers } from '../../onnx/tensor.js';

/** Ops a classifier may end with after its last dense layer; they keep the class axis. */
const PASS_THROUGH = new Set(['Softmax', 'LogSoftmax', 'Identity']);

/** Where a dense layer's weight comes from: an initializer, possibly behind a constant Reshape. */
export interface HeadWeight {
  /** The initializer holding the weight values. */
  initializer: TensorData;
  /** A Reshape between the initializer and the layer (CNTK exports do this), with its target shape. */
  reshape?: { node: Node; shape: TensorData };
  /** The weight's dims as the layer sees them (after the Reshape). */
  dims: number[];
}

/** The last dense layer of a classifier, as {@link findHead} finds it. */
export interface ClassifierHead {
  /** `gemm`: one Gemm node; `matmul`: a MatMul, optionally followed by an Add of the bias. */
  kind: 'gemm' | 'matmul';
  /** The Gemm or MatMul node. */
  node: Node;
  /** The Add that adds the bias after a MatMul. */
  add?: Node;
  weight: HeadWeight;
  bias?: TensorData;
  /** True when the weight is laid out [classes, features] (Gemm with transB=1), else [features, classes]. */
  transposed: boolean;
  /** Features in, classes out. */
  features: number;
  classes: number;
  /** Values from the layer's output to the model output (the layer's output first). */
  chain: string[];
}

/**
 * Finds the last dense layer of a classifier: the Gemm, or MatMul(+Add), that produces `output`
 * (@defaultValue the first graph output), possibly through a Softmax, LogSoftmax or Identity. Its
 * weight must be an initializer (or a constant Reshape of one) and its bias an initializer.
 * Throws RangeError saying what was found instead.
 */
export function findHead(graph: Graph, output?: string): ClassifierHead {
  const target = output ?? graph.outputs[0]?.name;
  if (!target) throw new RangeError('findHead: the model has no outputs');
  if (!graph.outputs.some((o) => o.name === target)) throw new RangeError(`findHead: '${target}' is not a model output`);
  const producer = producers(graph);
  const inits = new Map(graph.initializers.map((t) => [t.name, t]));
  const chain = [target];
  let node = producer.get(target);
  while (node && PASS_THROUGH.has(node.opType) && node.domain === '') {
    chain.unshift(node.inputs[0]);
    node = producer.get(node.inputs[0]);
  }
  const fail = (what: string): never => {
    throw new RangeError(
      `findHead: output '${target}' does not come from a dense layer (Gemm, or MatMul + Add, with initializer weights): ${what}`,
    );
  };
  if (!node) return fail(`'${chain[0]}' is a graph input or initializer`);
  if (node.opType === 'Gemm') {
    if (intAttr(node, 'transA', 0) !== 0) fail(`Gemm '${node.name}' has transA=1`);
    const weight = weightOf(node.inputs[1], inits, producer) ?? fail(`Gemm '${node.name}' has a computed weight '${node.inputs[1]}'`);
    const transposed = intAttr(node, 'transB', 0) === 1;
    const bias = node.inputs[2] ? (inits.get(node.inputs[2]) ?? fail(`Gemm '${node.name}' has a computed bias '${node.inputs[2]}'`)) : undefined;
    return head('gemm', node, undefined, weight, bias, transposed, chain, fail);
  }
  let add: Node | undefined;
  let bias: TensorData | undefined;
  if (node.opType === 'Add') {
    add = node;
    const [a, b] = node.inputs;
    const biasName = inits.has(b) ? b : inits.has(a) ? a : fail(`Add '${node.name}' adds no initializer bias`);
    bias = inits.get(biasName);
    const other = biasName === b ? a : b;
    chain.unshift(other);
    node = producer.get(other);
    if (!node) return fail(`'${other}' is a graph input`);
  }
  if (node.opType !== 'MatMul') return fail(`found ${node.opType} '${node.name}'`);
  const weight = weightOf(node.inputs[1], inits, producer) ?? fail(`MatMul '${node.name}' has a computed weight '${node.inputs[1]}'`);
  return head('matmul', node, add, weight, bias, false, chain, fail);
}

function head(
  kind: ClassifierHead['kind'],
  node: Node,
  add: Node | undefined,
  weight: HeadWeight,
  bias: TensorData | undefined,
  transposed: boolean,
  chain: string[],
  fail: (what: string) => never,
): ClassifierHead {
  if (weight.dims.length !== 2) fail(`the weight of '${node.name}' has dims [${weight.dims.join(', ')}], not 2`);
  const [rows, cols] = weight.dims;
  const classes = transposed ? rows : cols;
  const features = transposed ? cols : rows;
  if (bias) {
    const n = bias.dims.reduce((a, d) => a * d, 1);
    if (n !== classes || bias.dims[bias.dims.length - 1] !== classes) {
      fail(`bias '${bias.name}' has dims [${bias.dims.join(', ')}], expected ${classes} values on the last axis`);
    }
  }
  return { kind, node, ...(add ? { add } : {}), weight, ...(bias ? { bias } : {}), transposed, features, classes, chain };
}

function weightOf(name: string, inits: Map<string, TensorData>, producer: Map<string, Node>): HeadWeight | undefined {
  const direct = inits.get(name);
  if (direct) return { initializer: direct, dims: [...direct.dims] };
  const node = producer.get(name);
  if (!node || node.opType !== 'Reshape') return undefined;
  const source = inits.get(node.inputs[0]);
  const shape = inits.get(node.inputs[1]);
  if (!source || !shape) return undefined;
  const total = source.dims.reduce((a, d) => a * d, 1);
  const raw = tensorToNumbers(shape);
  const known = raw.reduce((a, d, i) => a * (d === -1 ? 1 : d === 0 ? source.dims[i] : d), 1);
  const dims = raw.map((d, i) => (d === -1 ? total / known : d === 0 ? source.dims[i] : d));
  return { initializer: source, reshape: { node, shape }, dims };
}

import { intsAttr } from '../../onnx/attributes.js';
import { dataTypeFromCode, type DataType } from '../../onnx/dtype.js';
import { constantNodeValue } from '../../onnx/graph-edit.js';
import type { Dim, Graph, Node, TensorData } from '../../onnx/ir.js';
import type { InferredTensor } from '../../onnx/shape-inference/context.js';
import { inferGraphTensors } from '../../onnx/shape-inference/infer-shapes.js';
import { tensorToNumbers } from '../../onnx/tensor.js';

/** Where a value comes from. */
export interface Producer {
  node: Node;
  /** Position of the node in `graph.nodes`. */
  index: number;
  /** Which output of the node it is. */
  output: number;
}

/** Ops whose outputs are never float, whatever their inputs. */
const INT_OUTPUT = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'OneHot', 'Range']);
const BOOL_OUTPUT = new Set(['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);

/** Where a constant input is read from. */
export interface ConstantLookup {
  constantOf(name: string): TensorData | undefined;
}

/** Integer values of a constant input, or undefined when it is not a constant. */
export function constantInts(lookup: ConstantLookup, name: string | undefined): number[] | undefined {
  if (!name) return undefined;
  const t = lookup.constantOf(name);
  return t ? tensorToNumbers(t) : undefined;
}

/** Axes of Squeeze/Unsqueeze/Reduce*: the attribute (old opsets) or the constant second input. */
export function axesOf(lookup: ConstantLookup, node: Node): number[] | undefined {
  return intsAttr(node, 'axes') ?? constantInts(lookup, node.inputs[1]);
}

/**
 * Static facts about the values of a graph: producers, declared types, constants, and shapes (the
 * caller's `shapeOf`, sharpened by one run of `onnx/shape-inference`, whose errors propagate).
 */
export class GraphInfo implements ConstantLookup {
  readonly producers = new Map<string, Producer>();
  private readonly declared = new Map<string, { dtype: DataType; shape?: Dim[] }>();
  private readonly initializers = new Map<string, TensorData>();
  private readonly inferred: Map<string, InferredTensor>;
  private readonly shapes = new Map<string, Dim[] | undefined>();
  private readonly dtypes = new Map<string, DataType>();

  /**
   * @param opset - The ai.onnx opset the graph's nodes are read at (shape rules depend on it).
   * @param external - Shapes the caller knows; their static dims win over inferred ones.
   */
  constructor(
    readonly graph: Graph,
    opset: number,
    private readonly external?: (name: string) => readonly Dim[] | undefined,
  ) {
    this.inferred = inferGraphTensors(graph, opset);
    graph.nodes.forEach((node, index) => node.outputs.forEach((o, output) => o && this.producers.set(o, { node, index, output })));
    for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) {
      if (v.type?.kind === 'tensor') this.declared.set(v.name, { dtype: v.type.dtype, shape: v.type.shape });
    }
    for (const t of graph.initializers) this.initializers.set(t.name, t);
  }

  /** True when the graph has this value (input, initializer or node output). */
  has(name: string): boolean {
    return this.producers.has(name) || this.initializers.has(name) || this.graph.inputs.some((v) => v.name === name);
  }

  /** The node producing a value, if any. */
  producerOf(name: string): Node | undefined {
    return this.producers.get(name)?.node;
  }

  /**
   * The constant behind a value: an initializer (also one listed as a graph input, as IR < 4 models do:
   * only shapes, axes and flags are read this way) or a Constant node's output.
   */
  constantOf(name: string): TensorData | undefined {
    const init = this.initializers.get(name);
    if (init) return init;
    const p = this.producers.get(name);
    return p?.node.opType === 'Constant' ? constantNodeValue(p.node) : undefined;
  }

  /**
   * The elements of a small 0-D/1-D integer value known before run time, as shape inference folds
   * them (a constant, or shape arithmetic over static dims as PyTorch exports build Slice bounds from
   * `x.shape`): symbols where a dim is symbolic, null where unknown; undefined when nothing is known.
   */
  staticElements(name: string): Dim[] | undefined {
    const data = this.inferred.get(name)?.data;
    return data ? [...data] : constantInts(this, name);
  }

  /** Static shape of a value, or undefined. */
  shapeOf(name: string): Dim[] | undefined {
    if (this.shapes.has(name)) return this.shapes.get(name);
    const s = this.lookupShape(name);
    this.shapes.set(name, s);
    return s;
  }

  /** Element type of a value; float32 when nothing tells. */
  dtypeOf(name: string): DataType {
    const known = this.dtypes.get(name);
    if (known) return known;
    this.dtypes.set(name, 'float32'); // cycle guard
    const t = this.lookupDtype(name);
    this.dtypes.set(name, t);
    return t;
  }

  private lookupShape(name: string): Dim[] | undefined {
    const c = this.initializers.get(name) ?? this.constantOf(name);
    const inferred = c ? [...c.dims] : this.inferred.get(name)?.shape;
    const given = this.external?.(name) ?? this.declared.get(name)?.shape;
    if (!given) return inferred && [...inferred];
    if (given.every((d) => typeof d === 'number')) return [...given];
    // Dims the caller's shapes left open may be inferred (e.g. a Reshape to a Shape-built target).
    const mine = inferred;
    if (!mine || mine.length !== given.length) return [...given];
    // A static dim beats a symbol or an unknown; a symbol beats an unknown.
    return given.map((d, i) => (typeof d !== 'number' && (typeof mine[i] === 'number' || (d === null && mine[i] !== null)) ? mine[i] : d));
  }

  private lookupDtype(name: string): DataType {
    const decl = this.declared.get(name)?.dtype ?? this.initializers.get(name)?.dtype;
    if (decl) return decl;
    const p = this.producers.get(name);
    if (!p) return 'float32';
    const { node, output } = p;
    const to = node.attributes.to;
    if (node.opType === 'Cast' && to?.type === 'int') return dataTypeFromCode(to.value);
    if (node.opType === 'Constant') return this.constantOf(name)?.dtype ?? 'float32';
    if (INT_OUTPUT.has(node.opType)) return 'int64';
    if (BOOL_OUTPUT.has(node.opType)) return 'bool';
    if ((node.opType === 'Dropout' || node.opType === 'MaxPool') && output === 1) return node.opType === 'Dropout' ? 'bool' : 'int64';
    if (node.opType === 'TopK' && output === 1) return 'int64';
    if (node.opType === 'Where') return node.inputs[1] ? this.dtypeOf(node.inputs[1]) : 'float32';
    // The (de)quantized value takes the scale's type, or the zero point's: not the first input's.
    if (node.opType === 'DequantizeLinear') return node.inputs[1] ? this.dtypeOf(node.inputs[1]) : 'float32';
    if (node.opType === 'QuantizeLinear') return node.inputs[2] ? this.dtypeOf(node.inputs[2]) : 'uint8';
    const first = node.inputs.find(Boolean);
    return first ? this.dtypeOf(first) : 'float32';
  }
}

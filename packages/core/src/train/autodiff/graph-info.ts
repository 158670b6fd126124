import { dataTypeFromCode, type DataType } from '../../onnx/dtype.js';
import type { Dim, Graph, Node, TensorData } from '../../onnx/ir.js';
import { makeTensor } from '../../onnx/tensor.js';
import { inferOutputShape, type ShapeLookup } from './static-shapes.js';

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

/**
 * Static facts about the values of a graph: producers, declared types, constants, and shapes (from the
 * caller's `shapeOf`, the graph's declared types, constants, then a local propagation).
 */
export class GraphInfo implements ShapeLookup {
  readonly producers = new Map<string, Producer>();
  private readonly declared = new Map<string, { dtype: DataType; shape?: Dim[] }>();
  private readonly initializers = new Map<string, TensorData>();
  private readonly shapes = new Map<string, Dim[] | undefined>();
  private readonly dtypes = new Map<string, DataType>();

  constructor(
    readonly graph: Graph,
    private readonly external?: (name: string) => readonly Dim[] | undefined,
  ) {
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
    if (!p || p.node.opType !== 'Constant') return undefined;
    const a = p.node.attributes;
    const v = a.value ?? a.value_float ?? a.value_floats ?? a.value_int ?? a.value_ints;
    if (!v) return undefined;
    switch (v.type) {
      case 'tensor':
        return v.value;
      case 'float':
        return makeTensor(name, 'float32', [], [v.value]);
      case 'floats':
        return makeTensor(name, 'float32', [v.value.length], v.value);
      case 'int':
        return makeTensor(name, 'int64', [], [v.value]);
      case 'ints':
        return makeTensor(name, 'int64', [v.value.length], v.value);
      default:
        return undefined;
    }
  }

  /** Static shape of a value, or undefined. */
  shapeOf(name: string): Dim[] | undefined {
    if (this.shapes.has(name)) return this.shapes.get(name);
    this.shapes.set(name, undefined); // cycle guard
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
    const p = this.producers.get(name);
    const local = () => (c ? [...c.dims] : p ? inferOutputShape(p.node, p.output, this) : undefined);
    const given = this.external?.(name) ?? this.declared.get(name)?.shape;
    if (!given) return local();
    if (given.every((d) => typeof d === 'number')) return [...given];
    // Dims the caller's inference left open may follow locally (e.g. a Reshape to a Shape-built target).
    const mine = local();
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
    const first = node.inputs.find(Boolean);
    return first ? this.dtypeOf(first) : 'float32';
  }
}

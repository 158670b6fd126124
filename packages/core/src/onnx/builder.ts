import type { DataType } from './dtype.js';
import type { Dim, Graph, Model, Node, OpsetImport, TensorData, Value } from './ir.js';
import { toAttribute, type AttributeInput } from './attributes.js';
import { makeTensor, type TensorInput } from './tensor.js';

/** Options of {@link GraphBuilder}. */
export interface GraphBuilderOptions {
  /** Graph name. @defaultValue 'graph' */
  name?: string;
  /** Default-domain opset version. @defaultValue 17 */
  opset?: number;
  /** Further opset imports, e.g. `{ domain: 'com.microsoft', version: 1 }`. @defaultValue [] */
  extraOpsets?: OpsetImport[];
  /** Start from a copy of this graph (its nodes, values and initializers are kept). */
  graph?: Graph;
}

/** Options of a single {@link GraphBuilder.node} call. */
export interface NodeOptions {
  /** Node name. @defaultValue a unique `<OpType>_<n>` */
  name?: string;
  /** Output names, or how many fresh outputs to make. @defaultValue 1 */
  outputs?: string[] | number;
  /** Operator domain. @defaultValue '' (ai.onnx) */
  domain?: string;
}

/** Options of {@link GraphBuilder.build}. */
export interface BuildOptions {
  /** @defaultValue 'onnxkit' */
  producerName?: string;
  /** @defaultValue '0.1.0' */
  producerVersion?: string;
  /** IR version of the model. @defaultValue 8 (ONNX 1.10+, what ORT 1.30 and onnx 1.12 read) */
  irVersion?: number;
  /** metadata_props. @defaultValue {} */
  metadata?: Record<string, string>;
  /** Model doc string. @defaultValue '' */
  docString?: string;
}

/**
 * Writes ONNX graphs in code. Every method returns value names, so graphs read as expressions:
 *
 * ```ts
 * const b = new GraphBuilder({ opset: 17 });
 * const x = b.input('x', 'float32', ['N', 4]);
 * const w = b.initializer('w', 'float32', [4, 2], weights);
 * b.output(b.op('Relu', [b.op('MatMul', [x, w])]), 'float32', ['N', 2]);
 * const model = b.build();
 * ```
 */
export class GraphBuilder {
  readonly graph: Graph;
  readonly opsets: OpsetImport[];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(options: GraphBuilderOptions = {}) {
    const opset = options.opset ?? 17;
    if (!Number.isInteger(opset) || opset < 1) throw new RangeError(`GraphBuilder: 'opset' must be a positive integer, got ${opset}`);
    this.opsets = [{ domain: '', version: opset }, ...(options.extraOpsets ?? [])];
    const g = options.graph;
    this.graph = g
      ? {
          ...g,
          nodes: [...g.nodes],
          inputs: [...g.inputs],
          outputs: [...g.outputs],
          initializers: [...g.initializers],
          sparseInitializers: [...g.sparseInitializers],
          valueInfo: [...g.valueInfo],
        }
      : {
          name: options.name ?? 'graph',
          nodes: [],
          inputs: [],
          outputs: [],
          initializers: [],
          sparseInitializers: [],
          valueInfo: [],
        };
    if (options.name && g) this.graph.name = options.name;
    for (const v of [...this.graph.inputs, ...this.graph.outputs, ...this.graph.valueInfo]) this.used.add(v.name);
    for (const t of this.graph.initializers) this.used.add(t.name);
    for (const n of this.graph.nodes) {
      for (const o of n.outputs) this.used.add(o);
      if (n.name) this.used.add(n.name);
    }
  }

  /** The default-domain opset version. */
  get opset(): number {
    return this.opsets[0].version;
  }

  /** A name not used yet in this graph, derived from `base`. */
  uniqueName(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** Adds a graph input and returns its name. */
  input(name: string, dtype: DataType, shape?: Dim[]): string {
    this.claim(name, 'input');
    this.graph.inputs.push(valueOf(name, dtype, shape));
    return name;
  }

  /** Declares `name` a graph output. */
  output(name: string, dtype: DataType, shape?: Dim[]): string {
    this.graph.outputs.push(valueOf(name, dtype, shape));
    return name;
  }

  /** Adds an initializer from dtype/dims/data (or an IR tensor) and returns its name. */
  initializer(name: string, dtype: DataType, dims: readonly number[], data: TensorInput): string;
  initializer(tensor: TensorData): string;
  initializer(nameOrTensor: string | TensorData, dtype?: DataType, dims?: readonly number[], data?: TensorInput): string {
    const t = typeof nameOrTensor === 'string' ? makeTensor(nameOrTensor, dtype!, dims!, data!) : nameOrTensor;
    this.claim(t.name, 'initializer');
    this.graph.initializers.push(t);
    return t.name;
  }

  /** Adds a constant as an initializer with a fresh name derived from `hint`; returns its name. */
  constant(hint: string, dtype: DataType, dims: readonly number[], data: TensorInput): string {
    const name = this.uniqueName(hint);
    this.graph.initializers.push(makeTensor(name, dtype, dims, data));
    return name;
  }

  /** Adds a node and returns all its output names. */
  node(opType: string, inputs: readonly string[], attributes: Record<string, AttributeInput | undefined> = {}, options: NodeOptions = {}): string[] {
    const outputs =
      typeof options.outputs === 'object'
        ? options.outputs.map((o) => (o ? this.claim(o, `output of ${opType}`) : o))
        : Array.from({ length: options.outputs ?? 1 }, (_, i) => this.uniqueName(`${opType.toLowerCase()}_out${i ? i : ''}`));
    const attrs: Node['attributes'] = {};
    for (const [k, v] of Object.entries(attributes)) if (v !== undefined) attrs[k] = toAttribute(k, v);
    const node: Node = {
      opType,
      domain: options.domain ?? '',
      name: options.name ? this.claim(options.name, 'node name') : this.uniqueName(`${opType}_node`),
      inputs: [...inputs],
      outputs,
      attributes: attrs,
    };
    this.graph.nodes.push(node);
    return outputs;
  }

  /** Adds a single-output node and returns its output name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeInput | undefined> = {}, options: Omit<NodeOptions, 'outputs'> & { output?: string } = {}): string {
    const { output, ...rest } = options;
    return this.node(opType, inputs, attributes, { ...rest, outputs: output ? [output] : 1 })[0];
  }

  /** Finishes the model. The builder's graph is not copied: build once. */
  build(options: BuildOptions = {}): Model {
    return {
      irVersion: options.irVersion ?? 8,
      opsetImports: this.opsets.map((o) => ({ ...o })),
      producerName: options.producerName ?? 'onnxkit',
      producerVersion: options.producerVersion ?? '0.1.0',
      domain: '',
      modelVersion: 0,
      docString: options.docString ?? '',
      graph: this.graph,
      metadata: { ...(options.metadata ?? {}) },
      functions: [],
      trainingInfo: [],
    };
  }

  private claim(name: string, what: string): string {
    if (this.used.has(name)) throw new RangeError(`GraphBuilder: the name '${name}' is already used (new ${what})`);
    this.used.add(name);
    return name;
  }
}

function valueOf(name: string, dtype: DataType, shape?: Dim[]): Value {
  return { name, type: shape ? { kind: 'tensor', dtype, shape: [...shape] } : { kind: 'tensor', dtype } };
}

import { Random } from '../../data/random.js';
import type { Graph, Model, TensorData, Value } from '../../onnx/ir.js';
import { LABELS_KEY } from '../../metadata-keys.js';
import { findHead, type ClassifierHead } from './find-head.js';


/** Options of {@link replaceHead}. */
export interface ReplaceHeadOptions {
  /** Number of classes of the new head. */
  classes: number;
  /** Seed of the new weights (Glorot uniform; the bias starts at zero). @defaultValue 0 */
  seed?: number;
  /** Class names written to `onnxkit.labels`. @defaultValue removed when the class count changes */
  labels?: readonly string[];
  /** The output whose head is replaced. @defaultValue the first graph output */
  output?: string;
}

/** What {@link replaceHead} returns. */
export interface ReplacedHead {
  /** A new model; the input model is not changed. */
  model: Model;
  /** The initializers of the new head (train these alone for head-only fine-tuning). */
  parameters: string[];
  /** Classes before and after. */
  previousClasses: number;
  classes: number;
}

/**
 * Replaces a classifier's last dense layer (see {@link findHead}) with a freshly initialised
 * `classes`-way layer, e.g. to move a digit model to a new task. The initializer names stay the
 * same, so frozen/trainable lists keep working; output shapes along the way get the new class count.
 */
export function replaceHead(model: Model, options: ReplaceHeadOptions): ReplacedHead {
  if (!model || typeof model !== 'object' || !model.graph) throw new TypeError('replaceHead: model must be an onnxkit Model');
  if (!options || typeof options !== 'object') throw new TypeError('replaceHead: options must be an object');
  const { classes, seed = 0, labels } = options;
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`replaceHead: 'classes' must be an integer >= 2, got ${classes}`);
  if (!Number.isInteger(seed)) throw new TypeError(`replaceHead: 'seed' must be an integer, got ${seed}`);
  if (labels !== undefined && (!Array.isArray(labels) || labels.length !== classes || labels.some((l) => typeof l !== 'string'))) {
    throw new RangeError(`replaceHead: 'labels' must be ${classes} strings`);
  }
  const head = findHead(model.graph, options.output);
  const graph: Graph = {
    ...model.graph,
    nodes: model.graph.nodes.map((n) => ({ ...n, inputs: [...n.inputs] })),
    initializers: [...model.graph.initializers],
    inputs: model.graph.inputs.map(cloneValue),
    outputs: model.graph.outputs.map(cloneValue),
    valueInfo: model.graph.valueInfo.map(cloneValue),
  };
  const fresh = freshWeights(head, classes, new Random(seed));
  const replace = (t: TensorData) => {
    graph.initializers[graph.initializers.findIndex((x) => x.name === t.name)] = t;
    // Before IR 4, initializers are also graph inputs, with their shapes declared there.
    const input = graph.inputs.find((v) => v.name === t.name);
    if (input?.type?.kind === 'tensor') input.type.shape = [...t.dims];
  };
  replace(fresh.weight);
  if (fresh.bias) replace(fresh.bias);
  if (head.weight.reshape) {
    // Feed the layer the new [features, classes] weight directly; the old Reshape (and its shape) go
    // when nothing else reads them. Node objects were cloned in order, so indices carry over.
    const original = model.graph.nodes;
    graph.nodes[original.indexOf(head.node)].inputs[1] = fresh.weight.name;
    const reshape = graph.nodes[original.indexOf(head.weight.reshape.node)];
    if (!graph.nodes.some((n) => n.inputs.includes(reshape.outputs[0]))) {
      graph.nodes = graph.nodes.filter((n) => n !== reshape);
      graph.valueInfo = graph.valueInfo.filter((v) => v.name !== reshape.outputs[0]);
      const shapeName = head.weight.reshape.shape.name;
      if (!graph.nodes.some((n) => n.inputs.includes(shapeName))) {
        graph.initializers = graph.initializers.filter((t) => t.name !== shapeName);
        graph.inputs = graph.inputs.filter((v) => v.name !== shapeName);
      }
    }
  }
  const chain = new Set(head.chain);
  for (const v of [...graph.outputs, ...graph.valueInfo]) if (chain.has(v.name)) setLastDim(v, classes);
  const metadata = { ...model.metadata };
  if (labels) metadata[LABELS_KEY] = JSON.stringify(labels);
  else if (classes !== head.classes) delete metadata[LABELS_KEY];
  return {
    model: { ...model, graph, metadata },
    parameters: [fresh.weight.name, ...(fresh.bias ? [fresh.bias.name] : [])],
    previousClasses: head.classes,
    classes,
  };
}

/** The initializers of a classifier's last dense layer (its weight and bias): what head-only fine-tuning trains. */
export function headParameters(model: Model, output?: string): string[] {
  const head = findHead(model.graph, output);
  return [head.weight.initializer.name, ...(head.bias ? [head.bias.name] : [])];
}

function freshWeights(head: ClassifierHead, classes: number, rng: Random): { weight: TensorData; bias?: TensorData } {
  const { features } = head;
  // Glorot uniform: the limit depends on fan-in + fan-out only, so the layout does not matter.
  const limit = Math.sqrt(6 / (features + classes));
  const data = rng.fillUniform(new Float32Array(features * classes), -limit, limit);
  const dims = head.transposed ? [classes, features] : [features, classes];
  const weight: TensorData = { name: head.weight.initializer.name, dtype: 'float32', dims, data };
  if (!head.bias) return { weight };
  const biasDims = [...head.bias.dims];
  biasDims[biasDims.length - 1] = classes;
  return { weight, bias: { name: head.bias.name, dtype: 'float32', dims: biasDims, data: new Float32Array(classes) } };
}

function cloneValue(v: Value): Value {
  if (v.type?.kind !== 'tensor') return v;
  return { ...v, type: { ...v.type, ...(v.type.shape ? { shape: [...v.type.shape] } : {}) } };
}

function setLastDim(v: Value, classes: number): void {
  const shape = v.type?.kind === 'tensor' ? v.type.shape : undefined;
  if (shape && shape.length > 0 && typeof shape[shape.length - 1] === 'number') shape[shape.length - 1] = classes;
}

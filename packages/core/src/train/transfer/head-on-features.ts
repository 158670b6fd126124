import { Random } from '../../data/random.js';
import { LABELS_KEY } from '../../metadata-keys.js';
import { cloneGraph, pruneGraph } from '../artifacts/forward-graph.js';
import type { Model, TensorData } from '../../onnx/ir.js';
import { inferShapes } from '../../onnx/shape-inference/index.js';
import type { ReplacedHead } from './replace-head.js';

/** Options of {@link headOnFeatures}. */
export interface HeadOnFeaturesOptions {
  /** The value the new head reads: a `[N, D]` matrix of the model, e.g. the pooled features before its classifier. */
  features: string;
  /** Number of classes of the new head. */
  classes: number;
  /** Seed of the new weights (Glorot uniform; the bias starts at zero). @defaultValue 0 */
  seed?: number;
  /** Class names written to `onnxkit.labels`. @defaultValue none (the old ones are removed) */
  labels?: readonly string[];
}

/**
 * Replaces everything after `features` with one fresh dense layer and a Softmax: the model's first
 * output (same name) becomes `Softmax(features · Wᵀ + b)`, W `[classes, D]` named `head.weight`, b
 * `head.bias`. This is the usual cut for transfer learning from a pretrained classifier whose own
 * classifier layers (several dense layers trained on its old classes, as nsfwjs's MobileNetV2 has)
 * are better dropped: the backbone's pooled features feed the new head directly.
 */
export function headOnFeatures(model: Model, options: HeadOnFeaturesOptions): ReplacedHead {
  if (!model || typeof model !== 'object' || !model.graph) throw new TypeError('headOnFeatures: model must be an onnxkit Model');
  const { features, classes, seed = 0, labels } = options;
  if (typeof features !== 'string') throw new TypeError("headOnFeatures: 'features' must be a value name");
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`headOnFeatures: 'classes' must be an integer >= 2, got ${classes}`);
  if (labels !== undefined && (!Array.isArray(labels) || labels.length !== classes || labels.some((l) => typeof l !== 'string'))) {
    throw new RangeError(`headOnFeatures: 'labels' must be ${classes} strings`);
  }
  const output = model.graph.outputs[0];
  if (!output) throw new RangeError('headOnFeatures: the model has no outputs');
  if (!model.graph.nodes.some((n) => n.outputs.includes(features))) throw new RangeError(`headOnFeatures: '${features}' is not a value a node of the model computes`);
  const type = inferShapes(model).get(features);
  const shape = type?.kind === 'tensor' ? type.shape : undefined;
  const dims = shape?.[1];
  if (!shape || shape.length !== 2 || typeof dims !== 'number') {
    throw new RangeError(`headOnFeatures: '${features}' must be a [N, D] matrix with a static D; it is [${shape?.join(', ') ?? 'unknown'}]`);
  }

  const graph = cloneGraph(model.graph);
  const taken = new Set([...graph.initializers.map((t) => t.name), ...graph.nodes.flatMap((n) => n.outputs)]);
  for (const name of ['head.weight', 'head.bias', 'head.logits']) if (taken.has(name)) throw new RangeError(`headOnFeatures: the model already has a value '${name}'`);
  // Everything the old output was computed from stays only as far as `features` needs it.
  graph.outputs = [{ name: features }];
  pruneGraph(graph);
  const limit = Math.sqrt(6 / (dims + classes));
  const weight: TensorData = { name: 'head.weight', dtype: 'float32', dims: [classes, dims], data: new Random(seed).fillUniform(new Float32Array(classes * dims), -limit, limit) };
  const bias: TensorData = { name: 'head.bias', dtype: 'float32', dims: [classes], data: new Float32Array(classes) };
  graph.initializers.push(weight, bias);
  graph.nodes.push(
    { opType: 'Gemm', domain: '', name: 'head', inputs: [features, weight.name, bias.name], outputs: ['head.logits'], attributes: { transB: { type: 'int', value: 1 } } },
    { opType: 'Softmax', domain: '', name: 'head.softmax', inputs: ['head.logits'], outputs: [output.name], attributes: { axis: { type: 'int', value: 1 } } },
  );
  graph.valueInfo = graph.valueInfo.filter((v) => v.name !== output.name);
  graph.outputs = [{ name: output.name, type: { kind: 'tensor', dtype: 'float32', shape: [shape[0], classes] } }];
  const metadata = { ...model.metadata };
  if (labels) metadata[LABELS_KEY] = JSON.stringify(labels);
  else delete metadata[LABELS_KEY];
  const previous = output.type?.kind === 'tensor' ? output.type.shape?.at(-1) : undefined;
  return {
    model: { ...model, graph, metadata },
    parameters: [weight.name, bias.name],
    previousClasses: typeof previous === 'number' ? previous : 0,
    classes,
  };
}

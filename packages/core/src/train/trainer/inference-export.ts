import { MODEL_CARD_KEY } from '../../metadata-keys.js';
import type { Model, TensorData } from '../../onnx/ir.js';
import { LABELS, LOSS } from '../artifacts/generate.js';
import { ARTIFACT_METADATA } from '../artifacts/artifact-metadata.js';
import { cloneGraph, pruneGraph } from '../artifacts/forward-graph.js';

/** Re-exported where it was defined before the keys moved to metadata-keys.ts. */
export { MODEL_CARD_KEY };

/** Metadata the generator adds to describe an artifact; meaningless on an inference model. */
const ARTIFACT_KEYS: ReadonlySet<string> = new Set(Object.values(ARTIFACT_METADATA));

/**
 * Turns the eval model back into a plain inference model: `labels` and `loss` are dropped, trained
 * parameters become initializers again, and nodes only the loss needed are pruned.
 */
export function inferenceModelFromEval(evalModel: Model, parameters: readonly TensorData[], metadata: Record<string, string>): Model {
  const graph = cloneGraph(evalModel.graph);
  const trained = new Map(parameters.map((p) => [p.name, p]));
  graph.inputs = graph.inputs.filter((v) => v.name !== LABELS && !trained.has(v.name));
  graph.outputs = graph.outputs.filter((v) => v.name !== LOSS);
  graph.initializers = [...graph.initializers.filter((t) => !trained.has(t.name)), ...parameters];
  graph.name = 'inference';
  pruneGraph(graph);
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(evalModel.metadata)) if (!ARTIFACT_KEYS.has(k)) kept[k] = v;
  return { ...evalModel, graph, metadata: { ...kept, ...metadata }, trainingInfo: [] };
}

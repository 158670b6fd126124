import type { Graph } from '../../onnx/ir.js';
import type { LossKind } from '../losses/index.js';

/** Where the loss reads the model's prediction. */
export interface LossTarget {
  /** The model output the loss is on. */
  output: string;
  /** The value the loss reads: the output, or the Softmax's input when the output is a softmax. */
  prediction: string;
  /** Cross-entropy's class axis on `prediction` (negative when the rank is unknown), or the Flatten axis. */
  axis: number;
  /** Flatten prediction and labels to 2-D at `axis` first, then use axis 1 (pre-13 Softmax's coerced semantics). */
  flatten: boolean;
  /** The Softmax/LogSoftmax node trained through, if any. */
  bypassed?: string;
}

/**
 * Picks the output (default the first) and, for cross-entropy on an output made by Softmax or
 * LogSoftmax, trains on that node's input: the logits, which is numerically stable.
 */
export function lossTarget(
  graph: Graph,
  opset: number,
  loss: LossKind,
  output: string | undefined,
  rankOf: (name: string) => number | undefined,
): LossTarget {
  const outputs = graph.outputs.map((o) => o.name);
  const name = output ?? outputs[0];
  if (name === undefined) throw new RangeError('generateArtifacts: the model has no outputs');
  if (!outputs.includes(name)) {
    throw new RangeError(`generateArtifacts: 'output' '${name}' is not a model output; outputs: ${outputs.map((o) => `'${o}'`).join(', ')}`);
  }
  const base: LossTarget = { output: name, prediction: name, axis: 1, flatten: false };
  if (loss !== 'cross-entropy') return base;
  const producer = graph.nodes.find((n) => n.outputs.includes(name));
  if (!producer || (producer.domain !== '' && producer.domain !== 'ai.onnx') || !['Softmax', 'LogSoftmax'].includes(producer.opType)) {
    return base;
  }
  const x = producer.inputs[0];
  const rank = rankOf(x);
  const a = producer.attributes.axis;
  const coerced = opset < 13;
  let axis = a && a.type === 'int' ? a.value : coerced ? 1 : -1;
  if (axis < 0 && rank !== undefined) axis += rank;
  // Before opset 13 the classes are every axis from `axis` on, flattened; the same thing as the last
  // axis when `axis` is the last one.
  const flatten = coerced && !(rank !== undefined && axis === rank - 1);
  if (flatten && axis < 0) throw new RangeError(`generateArtifacts: Softmax node '${producer.name}' has axis ${axis} and an unknown input rank`);
  return { output: name, prediction: x, axis, flatten, bypassed: producer.name || producer.opType };
}

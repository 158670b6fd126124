import { producers } from '../../onnx/graph-edit.js';
import type { Graph, Node, TensorData } from '../../onnx/ir.js';
import { isDifferentiableInput } from './differentiable-inputs.js';

/** Which initializers the artifacts train and which stay constant. */
export interface TrainableSelection {
  /** Trained, in initializer order. */
  trainable: TensorData[];
  /** Float initializers the loss depends on that stay constant (explicitly frozen or not selected). */
  frozen: string[];
}

/**
 * The float32 initializers the value `target` depends on through differentiable inputs, in
 * initializer order: the default trainable set.
 */
export function learnableInitializers(graph: Graph, target: string, candidates: ReadonlySet<string>): TensorData[] {
  const producer = producers(graph);
  const reached = new Set<string>([target]);
  const stack = [target];
  while (stack.length) {
    const node = producer.get(stack.pop()!);
    if (!node) continue;
    node.inputs.forEach((input, i) => {
      if (input && !reached.has(input) && isDifferentiableInput(node, i)) {
        reached.add(input);
        stack.push(input);
      }
    });
  }
  return graph.initializers.filter((t) => candidates.has(t.name) && t.dtype === 'float32' && reached.has(t.name));
}

/**
 * Applies `trainable` / `frozen` to the default set. Throws RangeError for a name that is not a
 * learnable parameter (`trainable`) or not an initializer at all (`frozen`), listing valid names.
 */
export function selectTrainable(
  graph: Graph,
  learnable: readonly TensorData[],
  trainable: readonly string[] | undefined,
  frozen: readonly string[] = [],
): TrainableSelection {
  const byName = new Map(learnable.map((t) => [t.name, t]));
  const initializers = new Set(graph.initializers.map((t) => t.name));
  const valid = () => listNames([...byName.keys()]);
  for (const name of trainable ?? []) {
    if (!byName.has(name)) {
      const why = initializers.has(name) ? 'is not a learnable float32 parameter of the loss' : 'is not an initializer';
      throw new RangeError(`generateArtifacts: trainable '${name}' ${why}; valid names: ${valid()}`);
    }
  }
  for (const name of frozen) {
    if (!initializers.has(name)) throw new RangeError(`generateArtifacts: frozen '${name}' is not an initializer; valid names: ${valid()}`);
    if (trainable?.includes(name)) throw new RangeError(`generateArtifacts: '${name}' is both trainable and frozen`);
  }
  const wanted = new Set(trainable ?? byName.keys());
  for (const name of frozen) wanted.delete(name);
  const selected = learnable.filter((t) => wanted.has(t.name));
  return { trainable: selected, frozen: learnable.filter((t) => !wanted.has(t.name)).map((t) => t.name) };
}

function listNames(names: string[]): string {
  if (names.length === 0) return '(none)';
  const shown = names.slice(0, 30).map((n) => `'${n}'`).join(', ');
  return names.length > 30 ? `${shown}, … (${names.length - 30} more)` : shown;
}

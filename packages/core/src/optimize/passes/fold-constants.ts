import type { Model, Node, TensorData } from '../../onnx/ir.js';
import { inferShapes } from '../../onnx/shape-inference/index.js';
import { elementCount } from '../../onnx/tensor.js';
import { EVALUATORS } from '../fold/evaluators.js';
import { fromNum, toNum, type NumTensor } from '../fold/num-tensor.js';
import { constantNodeValue, modelOpset, removeDeadCode } from '../../onnx/graph-edit.js';
import type { GraphPass, PassResult } from '../pass.js';

/** Folded results larger than this many elements stay computed at run time (they would bloat the file). */
const MAX_FOLDED_ELEMENTS = 1 << 20;

/**
 * Constant folding: Constant nodes become initializers, and nodes whose inputs are all constant
 * (initializers, Constants, `Shape` of a statically shaped value) are computed here and replaced by
 * their results, e.g. a weight Transpose or the Reshape target an exporter computed with
 * Shape/Gather/Concat. Nodes producing graph outputs, ops outside the evaluator table and
 * float16/string tensors are left alone.
 */
export const foldConstants: GraphPass = {
  name: 'fold-constants',
  description: 'compute constant subgraphs ahead of time and turn Constant nodes into initializers',
  run(model: Model): PassResult {
    const g = model.graph;
    const opset = modelOpset(model);
    const notes: string[] = [];
    const inputNames = new Set(g.inputs.map((v) => v.name));
    const outputNames = new Set(g.outputs.map((v) => v.name));
    const known = new Map<string, TensorData>();
    for (const t of g.initializers) if (!inputNames.has(t.name) && !t.external) known.set(t.name, t);
    let shapes: ReturnType<typeof inferShapes> | undefined;
    try {
      shapes = inferShapes(model);
    } catch {
      shapes = undefined; // folding Shape is a bonus; a model shape inference rejects still folds the rest
    }

    const kept: Node[] = [];
    const added: TensorData[] = [];
    for (const node of g.nodes) {
      const folded = node.outputs.some((o) => outputNames.has(o)) ? undefined : fold(node, known, shapes, opset);
      if (!folded) {
        kept.push(node);
        continue;
      }
      folded.forEach((t) => {
        known.set(t.name, t);
        added.push(t);
      });
      notes.push(`folded ${node.opType} '${node.name || node.outputs[0]}' → ${folded.map((t) => `${t.name} [${t.dims.join(', ')}]`).join(', ')}`);
    }
    if (notes.length === 0) return { changed: 0, notes };
    g.nodes = kept;
    g.initializers = [...g.initializers, ...added];
    // Subgraphs that read a folded value now read the initializer of the same name.
    removeDeadCode(g);
    return { changed: notes.length, notes };
  },
};

function fold(node: Node, known: Map<string, TensorData>, shapes: ReturnType<typeof inferShapes> | undefined, opset: number): TensorData[] | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  if (node.opType === 'Constant') {
    const value = constantNodeValue(node);
    return value && value.dtype !== 'string' ? [value] : undefined;
  }
  if (node.opType === 'Shape') {
    const type = shapes?.get(node.inputs[0]);
    const dims = type?.kind === 'tensor' ? type.shape : undefined;
    if (dims && dims.every((d): d is number => typeof d === 'number')) {
      const values = EVALUATORS.Shape(node, [{ dtype: 'float32', dims, values: [] }], opset);
      return values ? [fromNum(node.outputs[0], values[0])] : undefined;
    }
  }
  const evaluate = EVALUATORS[node.opType];
  if (!evaluate || node.outputs.length !== 1 || !node.outputs[0]) return undefined;
  const inputs: (NumTensor | undefined)[] = [];
  for (const name of node.inputs) {
    if (!name) {
      inputs.push(undefined);
      continue;
    }
    const t = known.get(name);
    const num = t && toNum(t);
    if (!num) return undefined;
    inputs.push(num);
  }
  while (inputs.length && inputs[inputs.length - 1] === undefined) inputs.pop();
  if (inputs.length === 0) return undefined;
  let result: NumTensor[] | undefined;
  try {
    result = evaluate(node, inputs, opset);
  } catch {
    result = undefined;
  }
  if (!result || elementCount(result[0].dims) > MAX_FOLDED_ELEMENTS) return undefined;
  return [fromNum(node.outputs[0], result[0])];
}

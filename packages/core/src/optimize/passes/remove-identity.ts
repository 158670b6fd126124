import type { Model, Node } from '../../onnx/ir.js';
import { constantOf, producers, renameValue, replaceUses, subgraphReads } from '../../onnx/graph-edit.js';
import type { GraphPass, PassResult } from '../pass.js';

/**
 * Removes Identity nodes and inference-mode Dropout (whose output equals its input): readers of the
 * output read the input instead. When the output is a graph output, the input is renamed to it
 * instead, if the input is an intermediate value that can take the name. A Dropout whose mask is
 * read, or whose `training_mode` is not a constant false, is kept.
 */
export const removeIdentity: GraphPass = {
  name: 'remove-identity',
  description: 'remove Identity and inference-mode Dropout nodes',
  run(model: Model): PassResult {
    const g = model.graph;
    const notes: string[] = [];
    const inner = subgraphReads(g);
    for (const node of [...g.nodes]) {
      if (!isPassThrough(node, model)) continue;
      const [x] = node.inputs;
      const y = node.outputs[0];
      if (!x || !y || inner.has(y)) continue;
      const outputNames = new Set(g.outputs.map((v) => v.name));
      if (outputNames.has(y)) {
        // The output name is the model's contract: the input takes it over, if it is an intermediate.
        const renamable = producers(g).has(x) && !outputNames.has(x) && !inner.has(x) && !g.inputs.some((v) => v.name === x);
        if (!renamable) continue;
        g.nodes = g.nodes.filter((n) => n !== node);
        renameValue(g, x, y);
      } else {
        g.nodes = g.nodes.filter((n) => n !== node);
        replaceUses(g, y, x);
      }
      notes.push(`removed ${node.opType} '${node.name || y}'`);
    }
    if (notes.length === 0) return { changed: 0, notes };
    const produced = new Set(g.nodes.flatMap((n) => n.outputs));
    g.valueInfo = g.valueInfo.filter((v) => produced.has(v.name));
    return { changed: notes.length, notes };
  },
};

function isPassThrough(node: Node, model: Model): boolean {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return false;
  if (node.opType === 'Identity') return node.inputs.length === 1;
  if (node.opType !== 'Dropout') return false;
  if (node.outputs.slice(1).some(Boolean)) return false; // the mask is read
  const mode = node.inputs[2];
  if (!mode) return true;
  const value = constantOf(model.graph, mode);
  return value !== undefined && value.data.length === 1 && Number(value.data[0]) === 0;
}

import type { Model } from '../../onnx/ir.js';
import { consumers, freshName, producers, renameValue, subgraphReads } from '../../onnx/graph-edit.js';
import type { GraphPass, PassResult } from '../pass.js';

/** Options of {@link stripSoftmax}. */
export interface StripSoftmaxOptions {
  /** Name of the logits output that replaces the probabilities. @defaultValue 'logits' (made unique) */
  outputName?: string;
}

/**
 * Removes a Softmax (or LogSoftmax) that produces a graph output, so the model returns its logits:
 * what a caller wants for its own loss, calibration or temperature, and one op less at run time.
 * The argmax, hence the predicted class, is unchanged. The output is renamed (`logits` by default);
 * its position among the outputs is kept.
 */
export function stripSoftmax(options: StripSoftmaxOptions = {}): GraphPass {
  if (options.outputName !== undefined && (typeof options.outputName !== 'string' || options.outputName.length === 0)) {
    throw new TypeError(`stripSoftmax: 'outputName' must be a non-empty string, got ${JSON.stringify(options.outputName)}`);
  }
  return {
    name: 'strip-softmax',
    description: 'remove a final Softmax/LogSoftmax so the model outputs logits',
    run(model: Model): PassResult {
      const g = model.graph;
      const notes: string[] = [];
      const inner = subgraphReads(g);
      for (const out of g.outputs) {
        const node = producers(g).get(out.name);
        if (!node || (node.opType !== 'Softmax' && node.opType !== 'LogSoftmax') || (node.domain !== '' && node.domain !== 'ai.onnx')) continue;
        if ((consumers(g).get(out.name) ?? []).length > 0 || inner.has(out.name)) continue;
        const x = node.inputs[0];
        const isIntermediate = producers(g).has(x) && !g.outputs.some((v) => v.name === x) && !inner.has(x);
        if (!isIntermediate) continue;
        const wanted = options.outputName ?? 'logits';
        const name = wanted === x ? x : freshName(g, wanted);
        g.nodes = g.nodes.filter((n) => n !== node);
        const removed = out.name;
        out.name = name;
        if (name !== x) renameValue(g, x, name);
        g.valueInfo = g.valueInfo.filter((v) => v.name !== removed && v.name !== name);
        notes.push(`removed ${node.opType} '${node.name || removed}': output '${removed}' is now '${name}' (logits)`);
      }
      return { changed: notes.length, notes };
    },
  };
}

import { floatAttr, intAttr } from '../../onnx/attributes.js';
import type { Model, Node, TensorData } from '../../onnx/ir.js';
import { elementCount } from '../../onnx/tensor.js';
import { constantOf, consumers, freshName, producers, removeDeadCode, subgraphReads, usedNames } from '../../onnx/graph-edit.js';
import type { GraphPass, PassResult } from '../pass.js';

/**
 * Folds an inference-mode BatchNormalization into the Conv before it: with s = scale / sqrt(var + eps),
 * W'[o] = W[o] * s[o] and b'[o] = (b[o] - mean[o]) * s[o] + B[o]. Applies when the Conv's weights and
 * the BN's four tensors are constant float32, the Conv output feeds only the BN, and the BN is in
 * inference mode with one output. New weights get new names (the old ones may be shared).
 */
export const fuseConvBatchNorm: GraphPass = {
  name: 'fuse-conv-bn',
  description: 'fold BatchNormalization (inference mode) into the preceding Conv',
  run(model: Model): PassResult {
    const g = model.graph;
    const notes: string[] = [];
    const byProducer = producers(g);
    const readers = consumers(g);
    const inner = subgraphReads(g);
    const outputs = new Set(g.outputs.map((v) => v.name));
    const taken = usedNames(g);
    const drop = new Set<Node>();
    for (const bn of g.nodes) {
      if (bn.opType !== 'BatchNormalization' || !isDefault(bn)) continue;
      if (bn.outputs.slice(1).some(Boolean) || intAttr(bn, 'training_mode', 0) !== 0) continue;
      const x = bn.inputs[0];
      const conv = byProducer.get(x);
      if (!conv || conv.opType !== 'Conv' || !isDefault(conv) || drop.has(conv)) continue;
      if ((readers.get(x) ?? []).length !== 1 || outputs.has(x) || inner.has(x)) continue;
      const [scale, bias, mean, variance] = bn.inputs.slice(1, 5).map((n) => constantOf(g, n, byProducer));
      const w = constantOf(g, conv.inputs[1], byProducer);
      const b = conv.inputs[2] ? constantOf(g, conv.inputs[2], byProducer) : undefined;
      if (!w || !scale || !bias || !mean || !variance || (conv.inputs[2] && !b)) continue;
      const all = [w, scale, bias, mean, variance, ...(b ? [b] : [])];
      if (all.some((t) => t.dtype !== 'float32')) continue;
      const out = w.dims[0];
      if ([scale, bias, mean, variance, ...(b ? [b] : [])].some((t) => elementCount(t.dims) !== out)) continue;

      const eps = floatAttr(bn, 'epsilon', 1e-5);
      const per = elementCount(w.dims) / out;
      const wd = w.data as Float32Array;
      const newW = new Float32Array(wd.length);
      const newB = new Float32Array(out);
      for (let o = 0; o < out; o++) {
        // Computed in float64 and rounded once: closer to the unfused result than float32 steps.
        const s = (scale.data as Float32Array)[o] / Math.sqrt((variance.data as Float32Array)[o] + eps);
        for (let k = 0; k < per; k++) newW[o * per + k] = wd[o * per + k] * s;
        const b0 = b ? (b.data as Float32Array)[o] : 0;
        newB[o] = (b0 - (mean.data as Float32Array)[o]) * s + (bias.data as Float32Array)[o];
      }
      const wName = freshName(g, `${conv.inputs[1]}_bn`, taken);
      const bName = freshName(g, `${conv.inputs[2] || `${conv.name || 'conv'}.bias`}_bn`, taken);
      const tensors: TensorData[] = [
        { name: wName, dtype: 'float32', dims: [...w.dims], data: newW },
        { name: bName, dtype: 'float32', dims: [out], data: newB },
      ];
      g.initializers.push(...tensors);
      conv.inputs = [conv.inputs[0], wName, bName];
      // The Conv now produces what the BN produced; readers of the BN output read the Conv.
      conv.outputs = [bn.outputs[0]];
      drop.add(bn);
      notes.push(`fused BatchNormalization '${bn.name || bn.outputs[0]}' into Conv '${conv.name || x}'`);
    }
    if (drop.size === 0) return { changed: 0, notes };
    g.nodes = g.nodes.filter((n) => !drop.has(n));
    removeDeadCode(g);
    return { changed: notes.length, notes };
  },
};

function isDefault(n: Node): boolean {
  return n.domain === '' || n.domain === 'ai.onnx';
}

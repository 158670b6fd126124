import { GraphBuilder } from '../onnx/builder.js';
import type { Model } from '../onnx/ir.js';
import { inferShapes } from '../onnx/shape-inference/index.js';
import { modelOpset } from '../onnx/graph-edit.js';
import { optimizeModel } from '../optimize/optimize-model.js';
import { upgradeOpset } from '../onnx/upgrade-opset.js';

/**
 * The model quantization starts from: optimized (constants folded, BatchNormalization fused, weights
 * no longer graph inputs) so weights are constants, and at ai.onnx opset `minOpset` or newer
 * (per-channel DequantizeLinear needs 13). Throws RangeError for a node the opset upgrade cannot carry.
 */
export function prepareForQuantization(model: Model, minOpset: number, optimize: boolean): Model {
  let m = optimize ? optimizeModel(model).model : optimizeModel(model, { passes: ['drop-initializer-inputs'] }).model;
  const from = modelOpset(m);
  if (from >= minOpset) return m;
  let shapes: ReturnType<typeof inferShapes> | undefined;
  try {
    shapes = inferShapes(m);
  } catch {
    shapes = undefined;
  }
  const extraOpsets = m.opsetImports.filter((o) => o.domain !== '' && o.domain !== 'ai.onnx');
  const b = new GraphBuilder({ opset: minOpset, graph: m.graph, extraOpsets });
  try {
    upgradeOpset(b, from, (name) => {
      const t = shapes?.get(name);
      return t?.kind === 'tensor' ? t.shape?.length : undefined;
    });
  } catch (e) {
    throw new RangeError(`quantize: the model's opset ${from} must be upgraded to ${minOpset} first: ${(e as Error).message.replace(/^generateArtifacts: /, '')}`);
  }
  m = { ...m, graph: b.graph, opsetImports: b.opsets, irVersion: Math.max(m.irVersion, 7) };
  return m;
}

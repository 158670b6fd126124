import type { Model } from '../onnx/ir.js';
import { removeDeadCode } from '../onnx/graph-edit.js';
import { calibrate, type TensorRanges } from './calibrate.js';
import type { QuantizeOptions, QuantizeReport } from './options.js';
import { prepareForQuantization } from './prepare.js';
import { applyQdq, planQdq } from './qdq-static.js';
import { QUANTIZATION_KEY, type QuantizationRecipe } from './recipe.js';
import { WEIGHT_OPS, weightTargets } from './targets.js';

/**
 * Static int8 quantization in QDQ form: weights int8 (per channel by default), biases int32,
 * activations uint8/int8 with ranges calibrated on `options.calibration`. ORT fuses the Q/DQ pairs
 * into int8 kernels (QLinearConv, QGemm, MatMulInteger) on CPU and WASM.
 */
export async function quantizeStatic(model: Model, options: QuantizeOptions): Promise<{ model: Model; report: QuantizeReport }> {
  const perChannel = options.perChannel ?? true;
  const activationType = options.activationType ?? 'uint8';
  const exclude = [...(options.exclude ?? [])];
  const method = options.method ?? 'minmax';
  const m = prepareForQuantization(model, perChannel ? 13 : 10, options.optimize ?? true);
  const { targets, skipped } = weightTargets(m.graph, options.ops ?? WEIGHT_OPS, exclude);
  if (targets.length === 0) throw new RangeError(`quantizeModel: no node to quantize (${skipped.map((s) => `${s.node}: ${s.reason}`).join('; ') || 'no Conv, Gemm or MatMul'})`);
  const plan = planQdq(m.graph, targets);

  const known: TensorRanges = { ...(options.ranges ?? {}) };
  const missing = plan.calibrated.filter((t) => !known[t]);
  if (missing.length > 0) {
    if (!options.calibration) {
      throw new TypeError(`quantizeModel: static mode needs 'calibration' data (a few hundred sample inputs) to find the ranges of ${missing.length} activations`);
    }
    Object.assign(known, await calibrate(m, missing, options.calibration, {
      method,
      ...(options.percentile !== undefined ? { percentile: options.percentile } : {}),
      ...(options.calibrationLimit !== undefined ? { limit: options.calibrationLimit } : {}),
      ...(options.device !== undefined ? { device: options.device } : {}),
    }));
  }
  const ranges: TensorRanges = {};
  for (const t of plan.calibrated) ranges[t] = known[t];
  applyQdq(m, targets, plan, ranges, { perChannel, activationType });
  removeDeadCode(m.graph);
  const recipe: QuantizationRecipe = { version: 1, mode: 'static', perChannel, exclude, activationType, method, ranges };
  m.metadata = { ...m.metadata, [QUANTIZATION_KEY]: JSON.stringify(recipe) };
  return {
    model: m,
    report: { mode: 'static', quantized: targets.map((t) => t.node.name || t.node.outputs[0]), skipped, activations: plan.calibrated.length + plan.copied.size, method },
  };
}

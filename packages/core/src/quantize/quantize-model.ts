import type { Model } from '../onnx/ir.js';
import type { CalibrationSource } from './calibration-data.js';
import { convertToFloat16 } from './convert-fp16.js';
import { dequantizeForTraining } from './dequantize.js';
import { checkQuantizeOptions, type QuantizeOptions, type QuantizeReport } from './options.js';
import { quantizeDynamic } from './quantize-dynamic.js';
import { quantizeStatic } from './quantize-static.js';
import { quantizeWeightOnly } from './quantize-weight-only.js';
import { readRecipe, type QuantizationRecipe } from './recipe.js';

/** A quantized model and what was done to it. */
export interface QuantizeResult {
  model: Model;
  report: QuantizeReport;
}

/**
 * Quantizes a float model (the input is not changed): `static` int8 QDQ with calibrated activations
 * (the default; needs `calibration`), `dynamic` int8 MatMul/Gemm, `weight-only` int8, or `fp16`.
 * Graph passes run first (`optimize`). The result carries its recipe in `onnxkit.quantization`
 * metadata. Throws TypeError/RangeError naming the option for bad options, an excluded name that is
 * no node, or static mode without calibration data.
 */
export async function quantizeModel(model: Model, options: QuantizeOptions = {}): Promise<QuantizeResult> {
  if (!model || typeof model !== 'object' || !model.graph) throw new TypeError('quantizeModel: model must be a decoded onnxkit Model');
  checkQuantizeOptions(options);
  if (readRecipe(model)) {
    throw new RangeError('quantizeModel: the model is quantized already; quantize its float original, or call requantize() on a dequantizeForTraining() copy');
  }
  switch (options.mode ?? 'static') {
    case 'static':
      return quantizeStatic(model, options);
    case 'dynamic':
      return quantizeDynamic(model, options);
    case 'weight-only':
      return quantizeWeightOnly(model, options);
    case 'fp16':
      return convertToFloat16(model, options);
  }
}

/** Options of {@link requantize}. */
export interface RequantizeOptions {
  /** The recipe to follow. @defaultValue the one in the model's metadata */
  recipe?: QuantizationRecipe;
  /**
   * Recalibrate static activations on this data instead of reusing the recipe's ranges: do this after
   * fine-tuning changed what a layer outputs (a new head's logits). @defaultValue the recipe's ranges
   */
  calibration?: CalibrationSource;
  /**
   * metadata_props to set on the result, e.g. the labels and preprocessing spec a trainer's export
   * dropped (`dequantizeForTraining(...).metadata`). @defaultValue {}
   */
  metadata?: Record<string, string>;
}

/**
 * Quantizes a (fine-tuned) float model the way its recipe says: the same mode, per-channel choice,
 * exclusions and activation type, with the recipe's ranges or fresh calibration. Weights still int8
 * behind DequantizeLinear (frozen during training) are dequantized first and come back bit-identical.
 * Throws TypeError when there is no recipe.
 */
export async function requantize(model: Model, options: RequantizeOptions = {}): Promise<QuantizeResult> {
  const recipe = options.recipe ?? readRecipe(model);
  if (!recipe) throw new TypeError("requantize: no recipe: pass options.recipe (from dequantizeForTraining) or a model with 'onnxkit.quantization' metadata");
  const float = dequantizeForTraining(model).model;
  float.metadata = { ...float.metadata, ...(options.metadata ?? {}) };
  return quantizeModel(float, {
    mode: recipe.mode,
    perChannel: recipe.perChannel,
    exclude: recipe.exclude,
    ...(recipe.activationType ? { activationType: recipe.activationType } : {}),
    ...(recipe.method ? { method: recipe.method as QuantizeOptions['method'] } : {}),
    ...(options.calibration ? { calibration: options.calibration } : { ranges: recipe.ranges ?? {} }),
  });
}

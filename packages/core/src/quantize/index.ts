/**
 * int8 (static QDQ, dynamic, weight-only) and fp16 quantization, and dequantization for training.
 *
 * @packageDocumentation
 * @module @onnxkit/core/quantize
 */
export { quantizeModel, requantize, type QuantizeResult, type RequantizeOptions } from './quantize-model.js';
export { quantizeStatic } from './quantize-static.js';
export { quantizeDynamic } from './quantize-dynamic.js';
export { quantizeWeightOnly } from './quantize-weight-only.js';
export { convertToFloat16 } from './convert-fp16.js';
export { dequantizeForTraining, type DequantizeOptions, type DequantizedModel } from './dequantize.js';
export { calibrate, type CalibrateOptions, type CalibrationMethod, type TensorRanges } from './calibrate.js';
export { calibrationFeeds, type CalibrationSource } from './calibration-data.js';
export { modelAccuracy, type ModelAccuracyOptions } from './model-accuracy.js';
export type { QuantizeOptions, QuantizeReport } from './options.js';
export { QUANTIZATION_KEY, readRecipe, type QuantizationRecipe, type QuantizeMode } from './recipe.js';
export type { ActivationType } from './quant-math.js';
export type { SkippedNode } from './targets.js';

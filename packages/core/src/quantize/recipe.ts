import type { Model } from '../onnx/ir.js';
import type { TensorRanges } from './calibrate.js';
import type { ActivationType } from './quant-math.js';

import { QUANTIZATION_KEY } from '../metadata-keys.js';

export { QUANTIZATION_KEY };

/** The quantization modes onnxkit implements. */
export type QuantizeMode = 'static' | 'dynamic' | 'weight-only' | 'fp16';

/**
 * How a model was quantized, stored as JSON in its metadata: enough to quantize a fine-tuned float
 * copy the same way again (`requantize`), with the same activation ranges unless recalibrated.
 */
export interface QuantizationRecipe {
  /** Format version of this record. */
  version: 1;
  mode: QuantizeMode;
  perChannel: boolean;
  /** Node names left in float. */
  exclude: string[];
  /** Static mode: activation integer type, calibration method and the calibrated ranges. */
  activationType?: ActivationType;
  method?: string;
  ranges?: TensorRanges;
}

/** The recipe a model carries, or undefined. Throws a RangeError for a malformed one. */
export function readRecipe(model: Model): QuantizationRecipe | undefined {
  const text = model.metadata[QUANTIZATION_KEY];
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RangeError(`the model's '${QUANTIZATION_KEY}' metadata is not JSON`);
  }
  const r = value as QuantizationRecipe;
  if (!r || r.version !== 1 || !['static', 'dynamic', 'weight-only', 'fp16'].includes(r.mode)) {
    throw new RangeError(`the model's '${QUANTIZATION_KEY}' metadata is not a version-1 quantization recipe`);
  }
  return r;
}

import type { DeviceOption } from '../runtime/device.js';
import type { CalibrationMethod, TensorRanges } from './calibrate.js';
import type { CalibrationSource } from './calibration-data.js';
import type { ActivationType } from './quant-math.js';
import type { QuantizeMode } from './recipe.js';
import type { SkippedNode } from './targets.js';

/** Options of {@link quantizeModel}. */
export interface QuantizeOptions {
  /**
   * `static`: int8 weights and activations in QDQ form, activation ranges calibrated on sample data;
   * `dynamic`: int8 MatMul/Gemm weights, activations quantized at run time (no calibration);
   * `weight-only`: int8 weights dequantized at load, float compute; `fp16`: float16 weights and compute
   * with float32 inputs and outputs kept. @defaultValue 'static'
   */
  mode?: QuantizeMode;
  /** Sample inputs for `static` (a few hundred training images is plenty). */
  calibration?: CalibrationSource;
  /** @defaultValue 'minmax' */
  method?: CalibrationMethod;
  /** Share of values `percentile` calibration keeps. @defaultValue 99.999 */
  percentile?: number;
  /** Most calibration images used. @defaultValue 512 */
  calibrationLimit?: number;
  /** Known activation ranges (e.g. a recipe's); tensors without one are calibrated. @defaultValue none */
  ranges?: TensorRanges;
  /** One scale per output channel of each weight, instead of one per tensor. @defaultValue true */
  perChannel?: boolean;
  /** Integer type of static activations. @defaultValue 'uint8' */
  activationType?: ActivationType;
  /** Node names to leave in float (int8 modes) or float32 (fp16). @defaultValue [] */
  exclude?: readonly string[];
  /** Op types whose weights int8 modes quantize. @defaultValue ['Conv', 'Gemm', 'MatMul'] (dynamic: ['Gemm', 'MatMul']) */
  ops?: readonly string[];
  /** Run the default graph passes first (constant folding, Conv+BN fusion, …). @defaultValue true */
  optimize?: boolean;
  /** Device calibration runs on. @defaultValue 'cpu' */
  device?: DeviceOption;
}

/** What {@link quantizeModel} did. */
export interface QuantizeReport {
  mode: QuantizeMode;
  /** Names of the nodes now computed in int8 / fp16. */
  quantized: string[];
  /** Candidate nodes left in float, with why. */
  skipped: SkippedNode[];
  /** Activation tensors with calibrated Q/DQ (static). */
  activations?: number;
  /** Calibration method (static). */
  method?: CalibrationMethod;
}

const MODES = ['static', 'dynamic', 'weight-only', 'fp16'];

/** Checks option kinds and ranges; throws TypeError/RangeError naming the option. */
export function checkQuantizeOptions(o: QuantizeOptions): void {
  if (o === null || typeof o !== 'object') throw new TypeError('quantizeModel: options must be an object');
  if (o.mode !== undefined && !MODES.includes(o.mode)) throw new RangeError(`quantizeModel: mode must be one of ${MODES.join(', ')}, got '${String(o.mode)}'`);
  if (o.method !== undefined && !['minmax', 'percentile', 'entropy'].includes(o.method)) {
    throw new RangeError(`quantizeModel: method must be minmax, percentile or entropy, got '${String(o.method)}'`);
  }
  if (o.activationType !== undefined && o.activationType !== 'uint8' && o.activationType !== 'int8') {
    throw new RangeError(`quantizeModel: activationType must be 'uint8' or 'int8', got '${String(o.activationType)}'`);
  }
  if (o.perChannel !== undefined && typeof o.perChannel !== 'boolean') throw new TypeError('quantizeModel: perChannel must be a boolean');
  if (o.ops !== undefined && (!Array.isArray(o.ops) || o.ops.some((x) => typeof x !== 'string'))) throw new TypeError('quantizeModel: ops must be an array of op types');
  if (o.calibrationLimit !== undefined && !(Number.isInteger(o.calibrationLimit) && o.calibrationLimit > 0)) {
    throw new RangeError(`quantizeModel: calibrationLimit must be a positive integer, got ${o.calibrationLimit}`);
  }
}

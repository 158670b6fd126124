/** Integer types activations can be quantized to. */
export type ActivationType = 'uint8' | 'int8';

/** The integer range of a quantized type. */
export function qRange(type: ActivationType | 'int32'): [number, number] {
  if (type === 'uint8') return [0, 255];
  if (type === 'int8') return [-128, 127];
  return [-2147483648, 2147483647];
}

/** Scale and zero point of an affine (asymmetric) quantization. */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/**
 * Affine parameters for values in [min, max]: the range is widened to include 0 (so 0 is exact,
 * which padding and ReLU need) and mapped onto the type's full range. A range starting at 0 puts the
 * zero point at the type's minimum, so quantizing clamps negatives to 0 exactly like ReLU.
 */
export function activationParams(min: number, max: number, type: ActivationType): QuantParams {
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError(`quantize: calibration range [${min}, ${max}] is not finite`);
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const [qmin, qmax] = qRange(type);
  // Math.fround: ORT reads the scale as float32, so compute the zero point from that value.
  const scale = hi > lo ? Math.fround((hi - lo) / (qmax - qmin)) : 1;
  const zeroPoint = Math.min(qmax, Math.max(qmin, Math.round(qmin - lo / scale)));
  return { scale, zeroPoint };
}

/** Rounds half to even, as ONNX QuantizeLinear does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** One value quantized like ONNX QuantizeLinear: saturate(round(x / scale) + zeroPoint). */
export function quantizeValue(x: number, scale: number, zeroPoint: number, qmin: number, qmax: number): number {
  return Math.min(qmax, Math.max(qmin, roundHalfEven(x / scale) + zeroPoint));
}

/** A weight quantized to symmetric int8: values, one scale per channel (or one), zero points 0. */
export interface QuantizedWeight {
  values: Int8Array;
  scales: Float32Array;
  /** The channel axis the scales run along, or undefined for one scale. */
  axis?: number;
}

/**
 * The largest weight level of {@link quantizeWeight} for weights that an integer kernel multiplies with
 * uint8 activations (MatMulInteger): 7 bits. x86 CPUs without VNNI (AVX2, AVX-512 without VNNI) add
 * pairs of uint8 × int8 products in a saturating int16 (`vpmaddubsw`), which overflows for full-range
 * int8 weights (2 · 255 · 127 > 32767) and gives wrong results; 2 · 255 · 63 fits. ORT's own tools
 * call this `reduce_range`.
 */
export const REDUCED_WEIGHT_LEVEL = 63;

/**
 * Symmetric int8 quantization of a float weight, per channel along `axis` (or per tensor when
 * undefined): scale = max|w| / `level` over the channel, values in [-level, level] so the range is
 * symmetric.
 * @param level - the largest quantized magnitude, at most 127.
 * @defaultValue level: 127
 */
export function quantizeWeight(data: Float32Array, dims: readonly number[], axis?: number, level = 127): QuantizedWeight {
  const channels = axis === undefined ? 1 : dims[axis];
  const inner = axis === undefined ? 1 : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < data.length; i++) maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)], Math.abs(data[i]));
  const scales = Float32Array.from(maxAbs, (m) => (m > 0 ? m / level : 1));
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = quantizeValue(data[i], scales[channelOf(i)], 0, -level, level);
  return { values, scales, ...(axis === undefined ? {} : { axis }) };
}

/** Dequantizes `(q - zeroPoint) * scale`, per channel along `axis` when the scales are a vector. */
export function dequantizeValues(
  q: ArrayLike<number | bigint>,
  dims: readonly number[],
  scales: ArrayLike<number>,
  zeroPoints: ArrayLike<number | bigint> | undefined,
  axis: number | undefined,
): Float32Array {
  const out = new Float32Array(q.length);
  const perChannel = scales.length > 1;
  const rank = dims.length;
  const a = axis === undefined ? 1 : axis < 0 ? axis + rank : axis;
  const inner = perChannel ? dims.slice(a + 1).reduce((x, y) => x * y, 1) : 1;
  const channels = perChannel ? dims[a] : 1;
  for (let i = 0; i < q.length; i++) {
    const c = perChannel ? Math.floor(i / inner) % channels : 0;
    const zp = zeroPoints ? Number(zeroPoints[zeroPoints.length > 1 ? c : 0]) : 0;
    out[i] = (Number(q[i]) - zp) * scales[c];
  }
  return out;
}

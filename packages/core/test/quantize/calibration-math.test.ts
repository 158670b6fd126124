import { describe, expect, it } from 'vitest';
import { Random } from '@onnxkit/core';
import { activationParams, dequantizeValues, quantizeValue, quantizeWeight, roundHalfEven } from '../../src/quantize/quant-math.js';
import { entropyThreshold, Histogram, percentileRange } from '../../src/quantize/histogram.js';

describe('quantization arithmetic', () => {
  it('keeps 0 exact and puts a ReLU range at the bottom of the type', () => {
    const u = activationParams(0, 6, 'uint8');
    expect(u.zeroPoint).toBe(0);
    expect(quantizeValue(-3, u.scale, u.zeroPoint, 0, 255)).toBe(0);
    const s = activationParams(0, 6, 'int8');
    expect(s.zeroPoint).toBe(-128);
    const mixed = activationParams(-1, 3, 'uint8');
    expect((quantizeValue(0, mixed.scale, mixed.zeroPoint, 0, 255) - mixed.zeroPoint) * mixed.scale).toBe(0);
    expect(activationParams(0, 0, 'uint8').scale).toBe(1);
  });

  it('rounds half to even like QuantizeLinear', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, 2]);
  });

  it('quantizes weights symmetrically per channel and dequantizes back within half a step', () => {
    const w = Float32Array.from([1, -2, 0.5, 0.25, 10, -10, 5, 0]);
    const q = quantizeWeight(w, [2, 4], 0);
    expect(Array.from(q.scales)).toEqual([Math.fround(2 / 127), Math.fround(10 / 127)]);
    expect(Math.max(...Array.from(q.values, Math.abs))).toBe(127);
    const back = dequantizeValues(q.values, [2, 4], q.scales, undefined, 0);
    w.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(q.scales[Math.floor(i / 4)] / 2 + 1e-7));
  });
});

describe('histogram calibration', () => {
  const rng = new Random(1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const values = Float32Array.from({ length: 100_000 }, gauss);
  values[0] = 40; // one outlier that min/max would spend the whole range on

  it('percentile trims the tails', () => {
    const h = new Histogram(Math.min(...values), Math.max(...values));
    h.add(values);
    const [lo, hi] = percentileRange(h, 99.9);
    expect(hi).toBeGreaterThan(2.5);
    expect(hi).toBeLessThan(4);
    expect(lo).toBeLessThan(-2.5);
  });

  it('entropy picks a threshold far below the outlier', () => {
    const h = new Histogram(0, 40);
    h.add(values, true);
    const t = entropyThreshold(h, 128);
    expect(t).toBeGreaterThan(2);
    expect(t).toBeLessThan(10);
  });
});

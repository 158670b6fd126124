import { describe, expect, it } from 'vitest';
import { decodeRoundFile, encodeRoundFile, federatedAverage, proximalStep } from '../../src/index.js';

const f32 = (xs: number[]) => new Float32Array(xs);

describe('federatedAverage', () => {
  it('is the example-weighted mean of the clients (worked by hand)', () => {
    const r = federatedAverage(f32([9, 9, 9]), [
      { params: f32([1, 2, -4]), examples: 1 },
      { params: f32([3, 6, 0]), examples: 3 },
    ]);
    // (1·1 + 3·3)/4 = 2.5, (2 + 18)/4 = 5, (-4 + 0)/4 = -1
    expect([...r.params]).toEqual([2.5, 5, -1]);
    expect(r.examples).toBe(4);
    // Δ = global − average, the buffer server momentum carries on.
    expect([...r.momentum]).toEqual([6.5, 4, 10]);
  });

  it('with server momentum, applies β·v + Δ scaled by the server learning rate', () => {
    const global = f32([1, 1]);
    const u = [{ params: f32([0, 2]), examples: 5 }];
    const first = federatedAverage(global, u, { serverMomentum: 0.5, serverLearningRate: 0.8 });
    // Δ = [1, -1]; v = Δ; new = global − 0.8·v = [0.2, 1.8]
    expect(first.params[0]).toBeCloseTo(0.2, 6);
    expect(first.params[1]).toBeCloseTo(1.8, 6);
    const second = federatedAverage(first.params, [{ params: f32([0.2, 1.8]), examples: 1 }], { serverMomentum: 0.5, serverLearningRate: 0.8, momentum: first.momentum });
    // Δ = 0, v = 0.5·[1, -1]; new = [0.2 − 0.4, 1.8 + 0.4]
    expect(second.params[0]).toBeCloseTo(-0.2, 6);
    expect(second.params[1]).toBeCloseTo(2.2, 6);
  });

  it('names what is wrong', () => {
    expect(() => federatedAverage(f32([0]), [])).toThrow(/needs at least one update/);
    expect(() => federatedAverage(f32([0, 0]), [{ params: f32([1]), examples: 1 }])).toThrow(/update 0 has 1 parameters, the global model 2/);
    expect(() => federatedAverage(f32([0]), [{ params: f32([1]), examples: 0 }])).toThrow(RangeError);
    expect(() => federatedAverage(f32([0]), [{ params: f32([1]), examples: 1 }], { serverMomentum: 1 })).toThrow(/'serverMomentum' must be in \[0, 1\)/);
    expect(() => federatedAverage([0] as never, [{ params: f32([1]), examples: 1 }])).toThrow(TypeError);
  });
});

describe('proximalStep', () => {
  it('moves each parameter lr·μ of the way back to the global model', () => {
    const p = proximalStep(f32([2, -2]), f32([0, 0]), 0.1, 0.5);
    expect(p[0]).toBeCloseTo(1.9, 6);
    expect(p[1]).toBeCloseTo(-1.9, 6);
  });
});

describe('round files', () => {
  it('round-trips parameters, momentum, round and client', () => {
    const params = f32([1.5, -2, 3e-8, Math.PI]);
    const momentum = f32([0, 1, 2, 3]);
    const back = decodeRoundFile(encodeRoundFile({ round: 7, params, momentum, examples: 12, client: 'c-1' }));
    expect(back).toEqual({ round: 7, params, momentum, examples: 12, client: 'c-1' });
    expect(decodeRoundFile(encodeRoundFile({ round: 0, params: f32([]) }))).toEqual({ round: 0, params: f32([]) });
  });

  it('refuses bytes that are not one, cut short or with a lying header', () => {
    const bytes = encodeRoundFile({ round: 1, params: f32([1, 2, 3]) });
    expect(() => decodeRoundFile(new Uint8Array([1, 2, 3]), 'x.fed')).toThrow(/x.fed: not an onnxkit federated round file/);
    expect(() => decodeRoundFile(bytes.subarray(0, bytes.length - 1), 'x.fed')).toThrow(/bytes of values, the header says 12/);
    expect(() => encodeRoundFile({ round: -1, params: f32([]) })).toThrow(RangeError);
  });
});

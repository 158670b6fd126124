import { describe, expect, it } from 'vitest';
import { awayFromZero, gradCheck, record, rng, uniform, type TensorFeed } from './gradcheck.js';

const d = 'float64' as const;

/** Float32 values in [−4.5, 4.5], each at least 0.05 from every kink. */
function awayFromKinks(r: () => number, dims: number[], kinks: number[]): TensorFeed {
  const n = dims.reduce((p, v) => p * v, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    do v = r() * 9 - 4.5;
    while (kinks.some((k) => Math.abs(v - k) < 0.05));
    data[i] = v;
  }
  return { dims, data };
}

describe('activation gradient rules vs central differences (float64)', () => {
  const cases: [string, (r: () => number) => Parameters<typeof gradCheck>[0]][] = [
    ['Relu', (r) => ({ dtype: d, inputs: { x: awayFromZero(r, [2, 3, 5], 0.1, d) }, forward: (b, x) => b.op('Relu', [x.x]) })],
    ['LeakyRelu alpha=0.2', (r) => ({ dtype: d, inputs: { x: awayFromZero(r, [3, 7], 0.1, d) }, forward: (b, x) => b.op('LeakyRelu', [x.x], { alpha: 0.2 }) })],
    ['LeakyRelu default alpha', (r) => ({ dtype: d, inputs: { x: awayFromZero(r, [4, 4], 0.1, d) }, forward: (b, x) => b.op('LeakyRelu', [x.x]) })],
    ['Sigmoid', (r) => ({ dtype: d, inputs: { x: uniform(r, [2, 9], -3, 3, d) }, forward: (b, x) => b.op('Sigmoid', [x.x]) })],
    ['Tanh', (r) => ({ dtype: d, inputs: { x: uniform(r, [2, 9], -2, 2, d) }, forward: (b, x) => b.op('Tanh', [x.x]) })],
    ['Softmax opset 17 default axis', (r) => ({ dtype: d, inputs: { x: uniform(r, [3, 4, 5], -2, 2, d) }, forward: (b, x) => b.op('Softmax', [x.x]) })],
    ['Softmax opset 17 axis=1', (r) => ({ dtype: d, inputs: { x: uniform(r, [3, 4, 5], -2, 2, d) }, forward: (b, x) => b.op('Softmax', [x.x], { axis: 1 }) })],
    ['Softmax opset 11 axis=1 (2-D coercion)', (r) => ({ opset: 11, dtype: d, inputs: { x: uniform(r, [2, 3, 4], -2, 2, d) }, forward: (b, x) => b.op('Softmax', [x.x], { axis: 1 }) })],
    ['Softmax opset 11 default axis, symbolic batch', (r) => ({ opset: 11, dtype: d, inputs: { x: { ...uniform(r, [2, 3, 4], -2, 2, d), shape: ['N', 3, 4] } }, forward: (b, x) => b.op('Softmax', [x.x]) })],
    ['LogSoftmax axis=-1', (r) => ({ dtype: d, inputs: { x: uniform(r, [3, 6], -2, 2, d) }, forward: (b, x) => b.op('LogSoftmax', [x.x]) })],
    // ORT's CPU provider runs HardSigmoid/HardSwish in float32 only; inputs keep 0.05 away from the kinks at ±3 (and ±2.5 for alpha 0.2).
    ['HardSigmoid alpha 1/6 (PyTorch export)', (r) => ({ dtype: 'float32', inputs: { x: awayFromKinks(r, [3, 8], [-3, 3]) }, forward: (b, x) => b.op('HardSigmoid', [x.x], { alpha: 1 / 6, beta: 0.5 }) })],
    ['HardSigmoid default alpha/beta', (r) => ({ dtype: 'float32', inputs: { x: awayFromKinks(r, [4, 6], [-2.5, 2.5]) }, forward: (b, x) => b.op('HardSigmoid', [x.x]) })],
    ['HardSwish', (r) => ({ dtype: 'float32', opset: 14, inputs: { x: awayFromKinks(r, [3, 10], [-3, 3]) }, forward: (b, x) => b.op('HardSwish', [x.x]) })],
    ['Exp', (r) => ({ dtype: d, inputs: { x: uniform(r, [5], -1, 1, d) }, forward: (b, x) => b.op('Exp', [x.x]) })],
    ['Erf (float32: ORT CPU has no double Erf)', (r) => ({ dtype: 'float32', inputs: { x: uniform(r, [2, 5], -1.5, 1.5, 'float32') }, forward: (b, x) => b.op('Erf', [x.x]) })],
    ['Log', (r) => ({ dtype: d, inputs: { x: uniform(r, [5], 0.5, 2, d) }, forward: (b, x) => b.op('Log', [x.x]) })],
    ['Sqrt', (r) => ({ dtype: d, inputs: { x: uniform(r, [5], 0.5, 2, d) }, forward: (b, x) => b.op('Sqrt', [x.x]) })],
    ['Neg', (r) => ({ dtype: d, inputs: { x: uniform(r, [5], -1, 1, d) }, forward: (b, x) => b.op('Neg', [x.x]) })],
    ['Reciprocal', (r) => ({ dtype: d, inputs: { x: uniform(r, [5], 0.5, 2, d) }, forward: (b, x) => b.op('Reciprocal', [x.x]) })],
    ['Identity', (r) => ({ dtype: d, inputs: { x: uniform(r, [2, 2], -1, 1, d) }, forward: (b, x) => b.op('Identity', [x.x]) })],
    ['Clip min/max inputs', (r) => ({ dtype: d, wrt: ['x'], inputs: { x: uniform(r, [4, 5], -2, 2, d) }, forward: (b, x) => b.op('Clip', [x.x, b.constant('lo', d, [], [-0.55]), b.constant('hi', d, [], [0.65])]) })],
    ['Clip max only', (r) => ({ dtype: d, wrt: ['x'], inputs: { x: uniform(r, [4, 5], -2, 2, d) }, forward: (b, x) => b.op('Clip', [x.x, '', b.constant('hi', d, [], [0.65])]) })],
    ['Clip min only', (r) => ({ dtype: d, wrt: ['x'], inputs: { x: uniform(r, [4, 5], -2, 2, d) }, forward: (b, x) => b.op('Clip', [x.x, b.constant('lo', d, [], [-0.55])]) })],
  ];
  for (const [name, make] of cases) {
    it(name, async () => {
      const rep = await gradCheck(make(rng(name.length * 7919)));
      record(`activations/${name}`, rep);
      expect(rep.worst).toBeLessThanOrEqual(1);
    });
  }
});

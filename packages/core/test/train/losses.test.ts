import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Dim } from '@onnxkit/core';
import { appendCrossEntropy, appendMse } from '../../src/train/losses/index.js';
import { asFloat32, maxRelError, readConformance, run, seeded } from './artifacts-helpers.js';

/** A graph `prediction, labels → loss (, grad)` with the prediction declared as `shape`. */
function lossModel(kind: 'ce' | 'mse', shape: Dim[], extra: { axis?: number; labelSmoothing?: number; opset?: number } = {}) {
  const b = new GraphBuilder({ opset: extra.opset ?? 17 });
  const x = b.input('x', 'float32', shape);
  const y = b.input('y', 'float32', shape);
  const options = { prediction: x, labels: y, shape, gradient: true, axis: extra.axis, labelSmoothing: extra.labelSmoothing };
  const { loss, gradient } = kind === 'ce' ? appendCrossEntropy(b, options) : appendMse(b, options);
  b.output(loss, 'float32', []);
  b.output(b.op('Identity', [gradient!], {}, { output: 'grad' }), 'float32', shape);
  return b.build();
}

/** One-hot along axis 1 of int class indices shaped [N, d…] → float [N, C, d…]. */
function oneHot(classes: ArrayLike<number | bigint>, dims: number[], c: number): Float32Array {
  const [n, ...rest] = dims;
  const inner = rest.reduce((a, d) => a * d, 1);
  const out = new Float32Array(n * c * inner);
  for (let i = 0; i < n; i++) for (let k = 0; k < inner; k++) out[(i * c + Number(classes[i * inner + k])) * inner + k] = 1;
  return out;
}

/** Float64 cross-entropy with smoothing over axis 1 and its gradient, from the textbook formulas. */
function crossEntropyRef(x: Float32Array, t: Float32Array, dims: number[], eps: number) {
  const [n, c, ...rest] = dims;
  const inner = rest.reduce((a, d) => a * d, 1);
  const grad = new Float64Array(x.length);
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let k = 0; k < inner; k++) {
      const at = (j: number) => (i * c + j) * inner + k;
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, x[at(j)]);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(x[at(j)] - max);
      const target = (j: number) => (1 - eps) * t[at(j)] + eps / c;
      let tsum = 0;
      for (let j = 0; j < c; j++) {
        total -= target(j) * (x[at(j)] - max - Math.log(sum));
        tsum += target(j);
      }
      for (let j = 0; j < c; j++) grad[at(j)] = ((Math.exp(x[at(j)] - max) / sum) * tsum - target(j)) / (n * inner);
    }
  return { loss: total / (n * inner), grad };
}

describe('cross-entropy vs the ONNX SoftmaxCrossEntropyLoss references', () => {
  for (const name of ['test_sce_mean', 'test_sce_mean_3d', 'test_sce_mean_log_prob']) {
    it(name, async () => {
      const { inputs, outputs } = readConformance(name);
      const [x, y] = inputs;
      const c = x.dims[1];
      const labels = oneHot(y.data as BigInt64Array, y.dims, c);
      // Symbolic batch exercises the run-time row count; the static shape the constant one.
      for (const shape of [x.dims, ['N', ...x.dims.slice(1)]]) {
        const got = await run(lossModel('ce', shape), { x: { dims: x.dims, data: asFloat32(x) }, y: { dims: x.dims, data: labels } });
        const err = maxRelError(got.loss.data, asFloat32(outputs[0]));
        console.log(`${name} ${JSON.stringify(shape)}: loss rel error ${err.toExponential(2)}`);
        expect(err).toBeLessThan(1e-5);
        const ref = crossEntropyRef(asFloat32(x), labels, x.dims, 0);
        expect(got.grad.dims).toEqual(x.dims);
        expect(maxRelError(got.grad.data, ref.grad, 1e-4)).toBeLessThan(1e-4);
      }
    });
  }
});

describe('cross-entropy options', () => {
  const dims = [4, 6];
  const x = seeded(24, 7, -4, 4);
  const soft = seeded(24, 8, 0, 1);

  it('label smoothing matches the float64 formula (loss and gradient), soft targets too', async () => {
    for (const shape of [dims, ['N', null] as Dim[]]) {
      const got = await run(lossModel('ce', shape, { labelSmoothing: 0.1 }), { x: { dims, data: x }, y: { dims, data: soft } });
      const ref = crossEntropyRef(x, soft, dims, 0.1);
      expect(maxRelError(got.loss.data, [ref.loss])).toBeLessThan(1e-5);
      expect(maxRelError(got.grad.data, ref.grad, 1e-3)).toBeLessThan(1e-4);
    }
  });

  it('class axis -1 on [N, C] and opset 13 / 18 reduction forms', async () => {
    const labels = oneHot([0, 5, 2, 3], [4], 6);
    const ref = crossEntropyRef(x, labels, dims, 0);
    for (const opset of [13, 18]) {
      const got = await run(lossModel('ce', dims, { axis: -1, opset }), { x: { dims, data: x }, y: { dims, data: labels } });
      expect(maxRelError(got.loss.data, [ref.loss])).toBeLessThan(1e-5);
    }
  });

  it('rejects bad smoothing and axes', () => {
    expect(() => lossModel('ce', dims, { labelSmoothing: 1 })).toThrow(/labelSmoothing/);
    expect(() => lossModel('ce', ['N', 'C'], { axis: 2 })).toThrow(/out of range/);
    const b = new GraphBuilder();
    expect(() => appendCrossEntropy(b, { prediction: 'x', labels: 'y', axis: -1 })).toThrow(/rank/);
  });
});

describe('mse', () => {
  it('mean over all elements, gradient 2(p − y)/n, static and symbolic shapes', async () => {
    const dims = [3, 5];
    const p = seeded(15, 11);
    const y = seeded(15, 12);
    let loss = 0;
    const grad = Array.from(p, (pi, i) => {
      loss += (pi - y[i]) ** 2 / 15;
      return (2 * (pi - y[i])) / 15;
    });
    for (const shape of [dims, ['N', 5]]) {
      const got = await run(lossModel('mse', shape), { x: { dims, data: p }, y: { dims, data: y } });
      expect(maxRelError(got.loss.data, [loss])).toBeLessThan(1e-5);
      expect(maxRelError(got.grad.data, grad, 1e-3)).toBeLessThan(1e-5);
    }
  });
});

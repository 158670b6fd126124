import { describe, expect, it } from 'vitest';
import { decodeModel, floatAttr, stringAttr, type TensorData } from '@onnxkit/core';
import { buildOptimizerModel, type OptimizerOptions } from '../../src/train/optimizers/index.js';
import { asFloat32, maxRelError, readConformance, run, seeded, type Arr } from './artifacts-helpers.js';

/**
 * Runs our optimizer graph on an ONNX conformance test's inputs (R, T, X…, G…, state…) with the
 * hyper-parameters read from its ai.onnx.preview.training node; returns the worst relative error.
 */
async function conformance(name: string, slots: number, toOptions: (attr: (n: string, d: number) => number, mode: string) => OptimizerOptions) {
  const { model, inputs, outputs } = readConformance(name);
  const node = decodeModel(model).graph.nodes[0];
  const options = toOptions((n, d) => floatAttr(node, n, d), stringAttr(node, 'mode', 'standard'));
  const [r, t, ...rest] = inputs;
  const n = rest.length / (2 + slots);
  const xs = rest.slice(0, n);
  const params = xs.map((x, i) => ({ name: `p${i}`, dtype: 'float32' as const, dims: x.dims }));
  const { model: opt, state } = buildOptimizerModel(params, options);
  const arr = (td: TensorData): Arr => ({ dims: td.dims, data: asFloat32(td) });
  const feeds: Record<string, Arr> = { learning_rate: arr(r), step: arr(t) };
  params.forEach((p, i) => {
    feeds[p.name] = arr(xs[i]);
    feeds[`${p.name}_grad`] = arr(rest[n + i]);
  });
  // ONNX orders state slot-major (V1, V2, H1, H2); ours is parameter-major (p0.m, p0.v, p1.m, …).
  state.forEach((s, k) => (feeds[s.name] = arr(rest[2 * n + (k % slots) * n + Math.floor(k / slots)])));
  const got = await run(opt, feeds);
  const expectedNames = [...params.map((p) => `${p.name}.new`)];
  for (let k = 0; k < slots; k++) for (const p of params) expectedNames.push(`${p.name}.${state[k].slot}.new`);
  let worst = 0;
  expectedNames.forEach((name, i) => {
    expect(got[name].dims).toEqual(outputs[i].dims);
    worst = Math.max(worst, maxRelError(got[name].data, asFloat32(outputs[i])));
  });
  return worst;
}

const momentumOptions = (a: (n: string, d: number) => number, mode: string): OptimizerOptions => ({
  optimizer: 'momentum',
  momentum: a('alpha', 0),
  dampening: 1 - a('beta', 0),
  nesterov: mode === 'nesterov',
  weightDecay: a('norm_coefficient', 0),
});
const adamOptions = (a: (n: string, d: number) => number): OptimizerOptions => ({
  optimizer: 'adam',
  beta1: a('alpha', 0.9),
  beta2: a('beta', 0.999),
  epsilon: a('epsilon', 0),
  weightDecay: a('norm_coefficient', 0),
  postWeightDecay: a('norm_coefficient_post', 0),
});
const adagradOptions = (a: (n: string, d: number) => number): OptimizerOptions => ({
  optimizer: 'adagrad',
  epsilon: a('epsilon', 0),
  lrDecay: a('decay_factor', 0),
  weightDecay: a('norm_coefficient', 0),
});

describe('optimizer graphs vs the ONNX conformance references', () => {
  const cases: [string, number, typeof momentumOptions][] = [
    ['test_momentum', 1, momentumOptions],
    ['test_momentum_multiple', 1, momentumOptions],
    ['test_nesterov_momentum', 1, momentumOptions],
    ['test_adam', 2, adamOptions],
    ['test_adam_multiple', 2, adamOptions],
    ['test_adagrad', 1, adagradOptions],
    ['test_adagrad_multiple', 1, adagradOptions],
  ];
  for (const [name, slots, options] of cases) {
    it(`${name}`, async () => {
      const worst = await conformance(name, slots, options);
      console.log(`${name}: max rel error ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-5);
    });
  }
});

/** Float64 reference implementations of the rules, written from PyTorch's docs. */
function reference(kind: 'sgd' | 'adamw', o: Required<Pick<OptimizerOptions, 'weightDecay'>> & OptimizerOptions) {
  return (lr: number, step: number, x: number[], g: number[], m: number[], v: number[]) => {
    if (kind === 'sgd') return { x: x.map((xi, i) => xi - lr * (g[i] + o.weightDecay * xi)) };
    const [b1, b2, eps] = [o.beta1!, o.beta2!, o.epsilon!];
    const t = step + 1;
    const mNew = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
    const vNew = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i]);
    const xNew = x.map((xi, i) => {
      const decayed = xi * (1 - lr * o.weightDecay);
      const denom = Math.sqrt(vNew[i]) / Math.sqrt(1 - b2 ** t) + eps;
      return decayed - (lr / (1 - b1 ** t)) * (mNew[i] / denom);
    });
    return { x: xNew, m: mNew, v: vNew };
  };
}

describe('optimizer graphs vs PyTorch-semantics references', () => {
  const x = seeded(6, 1);
  const g = seeded(6, 2);
  const m = seeded(6, 3, -0.1, 0.1);
  const v = seeded(6, 4, 0, 0.1);
  const dims = [2, 3];
  const f = (a: Float32Array) => Array.from(a);

  it('AdamW (bias-corrected, decoupled weight decay) at steps 0 and 4', async () => {
    const o = { optimizer: 'adamw' as const, beta1: 0.9, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.05 };
    const { model } = buildOptimizerModel([{ name: 'w', dtype: 'float32', dims }], o);
    for (const step of [0, 4]) {
      const got = await run(model, {
        learning_rate: { dims: [], data: Float32Array.of(0.01) },
        step: { dims: [], data: Float32Array.of(step) },
        w: { dims, data: x },
        w_grad: { dims, data: g },
        'w.m': { dims, data: m },
        'w.v': { dims, data: v },
      });
      const want = reference('adamw', o)(0.01, step, f(x), f(g), f(m), f(v));
      expect(maxRelError(got['w.new'].data, want.x)).toBeLessThan(1e-5);
      expect(maxRelError(got['w.m.new'].data, want.m!)).toBeLessThan(1e-5);
      expect(maxRelError(got['w.v.new'].data, want.v!)).toBeLessThan(1e-5);
    }
  });

  it('SGD with weight decay, and global-norm clipping over two parameters', async () => {
    const { model } = buildOptimizerModel(
      [
        { name: 'a', dtype: 'float32', dims },
        { name: 'b', dtype: 'float32', dims: [6] },
      ],
      { optimizer: 'sgd', weightDecay: 0.1, clipGradNorm: 0.5 },
    );
    expect(model.graph.inputs.map((i) => i.name)).toEqual(['learning_rate', 'step', 'a', 'b', 'a_grad', 'b_grad']);
    const got = await run(model, {
      learning_rate: { dims: [], data: Float32Array.of(0.1) },
      step: { dims: [], data: Float32Array.of(0) },
      a: { dims, data: x },
      b: { dims: [6], data: m },
      a_grad: { dims, data: g },
      b_grad: { dims: [6], data: v },
    });
    const norm = Math.hypot(...f(g), ...f(v));
    const scale = Math.min(1, 0.5 / (norm + 1e-6));
    expect(scale).toBeLessThan(1);
    const sgd = reference('sgd', { weightDecay: 0.1 });
    expect(maxRelError(got['a.new'].data, sgd(0.1, 0, f(x), f(g).map((e) => e * scale), [], []).x)).toBeLessThan(1e-5);
    expect(maxRelError(got['b.new'].data, sgd(0.1, 0, f(m), f(v).map((e) => e * scale), [], []).x)).toBeLessThan(1e-5);
  });

  it('rejects bad options and clashing names', () => {
    const p = [{ name: 'w', dtype: 'float32' as const, dims: [2] }];
    expect(() => buildOptimizerModel(p, { optimizer: 'rmsprop' as never })).toThrow(/expected one of/);
    expect(() => buildOptimizerModel(p, { beta1: 1 })).toThrow(RangeError);
    expect(() => buildOptimizerModel(p, { clipGradNorm: 0 })).toThrow(/clipGradNorm/);
    expect(() => buildOptimizerModel([...p, { name: 'w.m', dtype: 'float32', dims: [2] }])).toThrow(/'w.m'/);
    expect(() => buildOptimizerModel([{ name: 'h', dtype: 'float16', dims: [2] }])).toThrow(/float32/);
  });
});

/** Float64 ports of the ONNX reference implementations (onnx/backend/test/case/node/{adam,momentum,adagrad}.py). */
const onnxReference = {
  adam(r: number, t: number, x: number, g: number, v: number, h: number, o: { a: number; b: number; eps: number; nc: number; ncp: number }) {
    const gr = o.nc * x + g;
    const vNew = o.a * v + (1 - o.a) * gr;
    const hNew = o.b * h + (1 - o.b) * gr * gr;
    const rAdj = t > 0 ? (r * Math.sqrt(1 - o.b ** t)) / (1 - o.a ** t) : r;
    return [(1 - o.ncp) * (x - (rAdj * vNew) / (Math.sqrt(hNew) + o.eps)), vNew, hNew];
  },
  momentum(r: number, t: number, x: number, g: number, v: number, o: { a: number; b: number; nc: number; nesterov: boolean }) {
    const gr = o.nc * x + g;
    const vNew = o.a * v + (t > 0 ? o.b : 1) * gr;
    return [o.nesterov ? x - r * (gr + o.a * vNew) : x - r * vNew, vNew];
  },
  adagrad(r: number, t: number, x: number, g: number, h: number, o: { decay: number; eps: number; nc: number }) {
    const gr = o.nc * x + g;
    const hNew = h + gr * gr;
    return [x - ((r / (1 + t * o.decay)) * gr) / (Math.sqrt(hNew) + o.eps), hNew];
  },
};

describe('ONNX-semantics optimizers after the first step (T > 0), vs float64 ports of the ONNX references', () => {
  const dims = [5];
  const x = seeded(5, 21);
  const g = seeded(5, 22);
  const s1 = seeded(5, 23, 0, 0.5);
  const s2 = seeded(5, 24, 0, 0.5);
  const feeds = (step: number, slots: Record<string, Float32Array>) => ({
    learning_rate: { dims: [], data: Float32Array.of(0.05) },
    step: { dims: [], data: Float32Array.of(step) },
    w: { dims, data: x },
    w_grad: { dims, data: g },
    ...Object.fromEntries(Object.entries(slots).map(([k, v]) => [`w.${k}`, { dims, data: v }])),
  });
  const column = (rows: number[][], k: number) => rows.map((r) => r[k]);

  it('adam with norm_coefficient_post', async () => {
    const o = { a: 0.9, b: 0.99, eps: 1e-4, nc: 0.01, ncp: 0.02 };
    const { model } = buildOptimizerModel([{ name: 'w', dtype: 'float32', dims }], {
      optimizer: 'adam', beta1: o.a, beta2: o.b, epsilon: o.eps, weightDecay: o.nc, postWeightDecay: o.ncp,
    });
    for (const step of [1, 7]) {
      const got = await run(model, feeds(step, { m: s1, v: s2 }));
      const want = Array.from(x, (xi, i) => onnxReference.adam(0.05, step, xi, g[i], s1[i], s2[i], o));
      ['w.new', 'w.m.new', 'w.v.new'].forEach((name, k) => expect(maxRelError(got[name].data, column(want, k))).toBeLessThan(1e-5));
    }
  });

  it('momentum with β ≠ 1 (dampening), standard and Nesterov', async () => {
    for (const nesterov of [false, true]) {
      const o = { a: 0.8, b: 0.7, nc: 0.01, nesterov };
      const { model } = buildOptimizerModel([{ name: 'w', dtype: 'float32', dims }], {
        optimizer: 'momentum', momentum: o.a, dampening: 1 - o.b, nesterov, weightDecay: o.nc,
      });
      for (const step of [0, 3]) {
        const got = await run(model, feeds(step, { velocity: s1 }));
        const want = Array.from(x, (xi, i) => onnxReference.momentum(0.05, step, xi, g[i], s1[i], o));
        ['w.new', 'w.velocity.new'].forEach((name, k) => expect(maxRelError(got[name].data, column(want, k))).toBeLessThan(1e-5));
      }
    }
  });

  it('adagrad with learning-rate decay', async () => {
    const o = { decay: 0.1, eps: 1e-6, nc: 0.001 };
    const { model } = buildOptimizerModel([{ name: 'w', dtype: 'float32', dims }], { optimizer: 'adagrad', lrDecay: o.decay, epsilon: o.eps, weightDecay: o.nc });
    const got = await run(model, feeds(5, { accum: s1 }));
    const want = Array.from(x, (xi, i) => onnxReference.adagrad(0.05, 5, xi, g[i], s1[i], o));
    ['w.new', 'w.accum.new'].forEach((name, k) => expect(maxRelError(got[name].data, column(want, k))).toBeLessThan(1e-5));
  });
});

import { describe, expect, it } from 'vitest';
import { float } from '../../src/onnx/attributes.js';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { encodeModel } from '../../src/onnx/codec/model-codec.js';
import { appendBackward } from '../../src/train/autodiff/index.js';
import { distinct, gradCheck, record, rng, uniform, type GradCase } from './gradcheck.js';

const d = 'float64' as const;
type Make = (r: () => number) => GradCase;

function binary(op: string, a: number[], b: number[], opts: Partial<GradCase> = {}): Make {
  const lo = op === 'Div' || op === 'Pow' ? 0.5 : -1;
  return (r) => ({
    dtype: d,
    inputs: { a: uniform(r, a, op === 'Pow' ? 0.5 : -1, 1.5, d), b: uniform(r, b, lo, 1.5, d) },
    forward: (bd, x) => bd.op(op, [x.a, x.b]),
    ...opts,
  });
}

describe('broadcasting arithmetic vs central differences (float64)', () => {
  const shapes: [number[], number[]][] = [
    [[2, 3], [2, 3]],
    [[2, 3, 4], [4]],
    [[2, 1, 4], [3, 1]],
    [[1], [2, 3]],
    [[], [3, 2]],
    [[5, 1, 1], [1, 2, 3]],
  ];
  const cases: [string, Make][] = [];
  for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Pow']) {
    for (const [a, b] of shapes) cases.push([`${op} [${a}] ⊙ [${b}]`, binary(op, a, b)]);
  }
  cases.push(['Mul(x, x) fan-in of the same value', (r) => ({ dtype: d, inputs: { x: uniform(r, [3, 4], -1, 1, d) }, forward: (b, x) => b.op('Mul', [x.x, x.x]) })]);
  cases.push([
    'Add with symbolic batch [N,3] + [3]',
    (r) => ({ dtype: d, inputs: { a: { ...uniform(r, [2, 3], -1, 1, d), shape: ['N', 3] }, b: uniform(r, [3], -1, 1, d) }, forward: (b, x) => b.op('Add', [x.a, x.b]) }),
  ]);
  cases.push([
    'Sub with symbolic batch [N,1,4] - [N,3,1]',
    (r) => ({
      dtype: d,
      inputs: { a: { ...uniform(r, [2, 1, 4], -1, 1, d), shape: ['N', 1, 4] }, b: { ...uniform(r, [2, 3, 1], -1, 1, d), shape: ['N', 3, 1] } },
      forward: (b, x) => b.op('Sub', [x.a, x.b]),
    }),
  ]);
  cases.push(['Where', (r) => ({
    dtype: d,
    inputs: { a: uniform(r, [2, 3], -1, 1, d), b: uniform(r, [3], -1, 1, d) },
    forward: (b, x) => b.op('Where', [b.op('Greater', [x.a, b.constant('z', d, [], [0])]), x.a, x.b]),
  })]);
  cases.push(['Sum (n-ary forward) with broadcast', (r) => ({
    dtype: d,
    inputs: { a: uniform(r, [2, 3], -1, 1, d), b: uniform(r, [3], -1, 1, d), c: uniform(r, [2, 1], -1, 1, d) },
    forward: (b, x) => b.op('Sum', [x.a, x.b, x.c]),
  })]);
  for (const [a, b] of [[[2, 1, 4], [3, 1]], [[2, 3], [3]], [[], [2, 2]], [[2, 3], [2, 3]]]) {
    cases.push([
      `Mul [${a}] ⊙ [${b}] with no static shapes (runtime un-broadcast)`,
      (r) => ({
        dtype: d,
        inputs: { a: { ...uniform(r, a, -1, 1, d), shape: null }, b: { ...uniform(r, b, -1, 1, d), shape: null } },
        seed: true,
        forward: (bd, x) => bd.op('Mul', [x.a, x.b]),
      }),
    ]);
  }
  for (const [name, make] of cases) {
    it(name, async () => {
      const rep = await gradCheck(make(rng(name.length * 31 + 7)));
      record(`arithmetic/${name}`, rep);
      expect(rep.worst).toBeLessThanOrEqual(1);
      expect(rep.opTypes.includes('NonZero')).toBe(name.includes('runtime'));
      // The backward pass sums with binary Adds: the only Sum is the forward one.
      expect(rep.backward.graph.nodes.filter((n) => n.opType === 'Sum')).toHaveLength(name.startsWith('Sum') ? 1 : 0);
    });
  }
});

describe('MatMul and Gemm vs central differences (float64)', () => {
  const mm: [number[], number[]][] = [
    [[3, 4], [4, 5]],
    [[2, 3, 4], [4, 5]],
    [[3, 4], [2, 4, 5]],
    [[2, 1, 3, 4], [3, 4, 2]],
    [[4], [4, 5]],
    [[3, 4], [4]],
    [[4], [2, 4, 3]],
    [[2, 3, 4], [4]],
    [[4], [4]],
  ];
  for (const [a, b] of mm) {
    it(`MatMul [${a}] x [${b}]`, async () => {
      const rep = await gradCheck({ dtype: d, inputs: { a: uniform(rng(a.length * 10 + b.length), a, -1, 1, d), b: uniform(rng(99 + a.length), b, -1, 1, d) }, forward: (bd, x) => bd.op('MatMul', [x.a, x.b]) });
      record(`linear/MatMul [${a}]x[${b}]`, rep);
      expect(rep.worst).toBeLessThanOrEqual(1);
    });
  }
  it('MatMul with symbolic batch [N,3,4] x [4,2]', async () => {
    const r = rng(5);
    const rep = await gradCheck({ dtype: d, inputs: { a: { ...uniform(r, [2, 3, 4], -1, 1, d), shape: ['N', 3, 4] }, b: uniform(r, [4, 2], -1, 1, d) }, forward: (bd, x) => bd.op('MatMul', [x.a, x.b]) });
    expect(rep.worst).toBeLessThanOrEqual(1);
  });

  const gemms: { tA: number; tB: number; alpha: number; beta: number; c: number[] | null }[] = [
    { tA: 0, tB: 0, alpha: 1, beta: 1, c: [5] },
    { tA: 1, tB: 0, alpha: 0.5, beta: 2, c: [3, 5] },
    { tA: 0, tB: 1, alpha: 2, beta: 0.25, c: [1, 5] },
    { tA: 1, tB: 1, alpha: 1.5, beta: 1, c: [3, 1] },
    { tA: 0, tB: 1, alpha: 1, beta: 1, c: [] },
    { tA: 1, tB: 1, alpha: 1, beta: 1, c: null },
  ];
  for (const g of gemms) {
    it(`Gemm transA=${g.tA} transB=${g.tB} alpha=${g.alpha} beta=${g.beta} C=${g.c ? `[${g.c}]` : 'none'}`, async () => {
      const r = rng(g.tA * 2 + g.tB + 11);
      const [m, k, n] = [3, 4, 5];
      const inputs: GradCase['inputs'] = {
        a: uniform(r, g.tA ? [k, m] : [m, k], -1, 1, d),
        b: uniform(r, g.tB ? [n, k] : [k, n], -1, 1, d),
      };
      if (g.c) inputs.c = uniform(r, g.c, -1, 1, d);
      const rep = await gradCheck({
        dtype: d,
        inputs,
        forward: (bd, x) => bd.op('Gemm', g.c ? [x.a, x.b, x.c] : [x.a, x.b], { alpha: float(g.alpha), beta: float(g.beta), transA: g.tA, transB: g.tB }),
      });
      record(`linear/Gemm ${JSON.stringify(g)}`, rep);
      expect(rep.worst).toBeLessThanOrEqual(1);
    });
  }
});

describe('Max and Min (n-ary, broadcasting) vs central differences, and their ties', () => {
  const shapes: number[][][] = [
    [[2, 3], [2, 3]],
    [[2, 3], [3], [2, 1]],
    [[4], [2, 4], [1], [2, 1]],
  ];
  for (const op of ['Max', 'Min']) {
    for (const dims of shapes) {
      it(`${op} of ${dims.map((s) => `[${s}]`).join(', ')} (distinct values)`, async () => {
        // distinct() spaces every value apart, across inputs too: no ties, so the function is smooth at the point.
        const all = distinct(rng(dims.length * 13 + op.length), [dims.reduce((n, s) => n + s.reduce((p, v) => p * v, 1), 0)], 0.07);
        let at = 0;
        const inputs = Object.fromEntries(
          dims.map((s, i) => {
            const n = s.reduce((p, v) => p * v, 1);
            const data = Float64Array.from(all.data.subarray(at, (at += n)));
            return [`x${i}`, { dims: s, data }];
          }),
        );
        const rep = await gradCheck({ dtype: d, inputs, forward: (b, x) => b.op(op, Object.values(x)) });
        record(`arithmetic/${op} ${dims.length}-ary`, rep);
        expect(rep.worst).toBeLessThanOrEqual(1);
      });
    }
    it(`${op}: a tie gives the whole gradient to the first input that attains it`, async () => {
      const b = new GraphBuilder({ opset: 17 });
      const xs = ['a', 'b', 'c'].map((n) => b.input(n, 'float32', [4]));
      const y = b.op(op, xs);
      const dy = b.input('dy', 'float32', [4]);
      const grads = appendBackward(b, { loss: y, wrt: xs, seed: dy });
      for (const x of xs) b.output(grads.get(x) as string, 'float32');
      const sess = await ort.InferenceSession.create(encodeModel(b.build()));
      // Per column: all three tie; b and c tie (a loses); a and c tie (b loses); only c attains it.
      const s = op === 'Max' ? 1 : -1;
      const feeds = {
        a: new ort.Tensor('float32', Float32Array.from([1, 0, 2, 0].map((v) => s * v)), [4]),
        b: new ort.Tensor('float32', Float32Array.from([1, 3, 1, 0].map((v) => s * v)), [4]),
        c: new ort.Tensor('float32', Float32Array.from([1, 3, 2, 5].map((v) => s * v)), [4]),
        dy: new ort.Tensor('float32', Float32Array.from([10, 20, 30, 40]), [4]),
      };
      const out = await sess.run(feeds);
      const got = xs.map((x) => Array.from(out[grads.get(x) as string].data as Float32Array));
      expect(got).toEqual([
        [10, 0, 30, 0],
        [0, 20, 0, 0],
        [0, 0, 0, 40],
      ]);
    });
  }
});

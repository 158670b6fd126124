import { describe, expect, it } from 'vitest';
import { float } from '../../src/onnx/attributes.js';
import { gradCheck, record, rng, uniform, type GradCase } from './gradcheck.js';

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

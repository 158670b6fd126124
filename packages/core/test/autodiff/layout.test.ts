import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { appendBackward } from '../../src/train/autodiff/index.js';
import type { Dim } from '../../src/onnx/ir.js';
import { gradCheck, record, rng, uniform, type TensorFeed } from './gradcheck.js';

const d = 'float64' as const;

interface LayoutCase {
  name: string;
  x: number[];
  xShape?: Dim[];
  opset?: number;
  forward: (b: GraphBuilder, x: string) => string;
  seed?: boolean;
}

const ints = (b: GraphBuilder, v: number[]) => b.constant('c', 'int64', [v.length], v);

/** Split into `sizes` along `axis` (opset ≥ 13: sizes as an input). */
const splitAll = (b: GraphBuilder, x: string, sizes: number[], axis: number) => b.node('Split', [x, ints(b, sizes)], { axis }, { outputs: sizes.length });

/** x[:, C/2 : 2·(C/2)] with the bounds computed from Shape(x), as PyTorch exports `chunk(2, dim=1)[1]`. */
const secondHalf = (b: GraphBuilder, x: string) => {
  const c = b.op('Gather', [b.op('Shape', [x]), b.constant('one', 'int64', [1], [1])], { axis: 0 });
  const half = b.op('Div', [c, b.constant('two', 'int64', [1], [2])]);
  return b.op('Slice', [x, half, b.op('Mul', [half, b.constant('two2', 'int64', [1], [2])]), ints(b, [1])]);
};

const cases: LayoutCase[] = [
  { name: 'Flatten axis 1', x: [2, 3, 4], forward: (b, x) => b.op('Flatten', [x]) },
  { name: 'Flatten axis 0', x: [2, 3, 4], forward: (b, x) => b.op('Flatten', [x], { axis: 0 }) },
  { name: 'Flatten axis -1, symbolic batch', x: [2, 3, 4], xShape: ['N', 3, 4], seed: true, forward: (b, x) => b.op('Flatten', [x], { axis: -1 }) },
  { name: 'Reshape [-1, 6]', x: [2, 3, 2], forward: (b, x) => b.op('Reshape', [x, ints(b, [-1, 6])]) },
  { name: 'Reshape [0, -1] symbolic batch', x: [3, 2, 2], xShape: ['N', 2, 2], forward: (b, x) => b.op('Reshape', [x, ints(b, [0, -1])]) },
  { name: 'Transpose perm', x: [2, 3, 4], forward: (b, x) => b.op('Transpose', [x], { perm: [1, 2, 0] }) },
  { name: 'Transpose default perm', x: [2, 3, 4], forward: (b, x) => b.op('Transpose', [x]) },
  { name: 'Squeeze opset 13 (axes input)', x: [2, 1, 3], forward: (b, x) => b.op('Squeeze', [x, ints(b, [1])]) },
  { name: 'Squeeze opset 11 (axes attribute)', x: [2, 1, 3], opset: 11, forward: (b, x) => b.op('Squeeze', [x], { axes: [1] }) },
  { name: 'Unsqueeze opset 13', x: [2, 3], forward: (b, x) => b.op('Unsqueeze', [x, ints(b, [0, 3])]) },
  { name: 'Unsqueeze opset 11', x: [2, 3], opset: 11, forward: (b, x) => b.op('Unsqueeze', [x], { axes: [-1] }) },
  {
    name: 'Concat axis 1 of x, x·2, const',
    x: [2, 3, 2],
    forward: (b, x) => b.op('Concat', [x, b.op('Mul', [x, b.constant('two', d, [], [2])]), b.constant('k', d, [2, 1, 2], [1, 2, 3, 4])], { axis: 1 }),
  },
  {
    name: 'Concat axis -1 with unknown sizes (runtime Split)',
    x: [2, 3],
    xShape: ['N', 'M'],
    seed: true,
    forward: (b, x) => b.op('Concat', [b.op('Sigmoid', [x]), x], { axis: -1 }),
  },
  { name: 'Pad constant, positive pads (opset 17)', x: [2, 3, 4], forward: (b, x) => b.op('Pad', [x, ints(b, [0, 1, 2, 0, 2, 1]), b.constant('v', d, [], [0.5])]) },
  { name: 'Pad negative pads (crop)', x: [2, 5, 4], forward: (b, x) => b.op('Pad', [x, ints(b, [0, -1, 1, 0, 2, -2])]) },
  { name: 'Pad with axes (opset 18)', x: [2, 3, 4], opset: 18, forward: (b, x) => b.op('Pad', [x, ints(b, [1, 2, 0, 1]), '', ints(b, [2, -2])]) },
  { name: 'Pad opset 11', x: [3, 4], opset: 11, forward: (b, x) => b.op('Pad', [x, ints(b, [1, 0, 0, 2])]) },
  { name: 'Slice constant starts/ends, axes [1, -1]', x: [2, 5, 6], forward: (b, x) => b.op('Slice', [x, ints(b, [1, -4]), ints(b, [4, 100]), ints(b, [1, -1])]) },
  { name: 'Slice default axes, negative start, steps 1', x: [4, 3], forward: (b, x) => b.op('Slice', [x, ints(b, [-3, 0]), ints(b, [-1, 2]), ints(b, [0, 1]), ints(b, [1, 1])]) },
  { name: 'Slice with runtime starts/ends (shufflenet chunk: Shape → Gather → Div)', x: [2, 6, 3], xShape: ['N', 'C', 3], seed: true, forward: secondHalf },
  { name: 'Split axis 1 into [2, 3], both outputs used', x: [2, 5, 2], forward: (b, x) => b.op('Concat', splitAll(b, x, [2, 3], 1).reverse(), { axis: 1 }) },
  { name: 'Split axis -1 into 3 (opset 18 num_outputs), only the last used', x: [2, 6], opset: 18, forward: (b, x) => b.node('Split', [x], { axis: -1, num_outputs: 3 }, { outputs: 3 })[2] },
  { name: 'Expand [3,1] → [2,3,4]', x: [3, 1], forward: (b, x) => b.op('Expand', [x, ints(b, [2, 3, 4])]) },
  { name: 'ReduceSum axes [1] keepdims 0 (opset 13)', x: [2, 3, 4], opset: 13, forward: (b, x) => b.op('ReduceSum', [x, ints(b, [1])], { keepdims: 0 }) },
  { name: 'ReduceSum all, opset 11', x: [2, 3], opset: 11, forward: (b, x) => b.op('ReduceSum', [x], { keepdims: 0 }) },
  { name: 'ReduceMean axes [-1, 0] keepdims 1 (opset 18)', x: [2, 3, 4], opset: 18, forward: (b, x) => b.op('ReduceMean', [x, ints(b, [-1, 0])]) },
  { name: 'ReduceMean axes attr (opset 13), symbolic', x: [3, 4], xShape: ['N', 'M'], opset: 13, seed: true, forward: (b, x) => b.op('ReduceMean', [x], { axes: [0], keepdims: 0 }) },
];

describe('layout ops and reductions vs central differences (float64)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const x: TensorFeed = { ...uniform(rng(c.name.length * 13), c.x, -1, 1, d), shape: c.xShape ?? c.x };
      const rep = await gradCheck({ dtype: d, opset: c.opset, seed: c.seed, inputs: { x }, forward: (b, n) => c.forward(b, n.x) });
      record(`layout/${c.name}`, rep);
      expect(rep.worst).toBeLessThanOrEqual(1);
    });
  }

  it('Slice bounds computed from a static Shape fold to constant pads (no int64 ops at run time)', async () => {
    const x: TensorFeed = { ...uniform(rng(5), [2, 6, 3], -1, 1, d), shape: ['N', 6, 3] };
    const rep = await gradCheck({ dtype: d, seed: true, inputs: { x }, forward: (b, n) => secondHalf(b, n.x) });
    expect(rep.worst).toBeLessThanOrEqual(1);
    expect(rep.opTypes).toContain('Pad');
    // The forward pass has its own Shape/Gather; only the runtime path would add these.
    for (const op of ['ScatterElements', 'Min', 'Max']) expect(rep.opTypes).not.toContain(op);
  });

  it('Slice with a step other than 1 fails naming the node and the steps', () => {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', d, [4, 6]);
    const y = b.op('Slice', [x, ints(b, [0]), ints(b, [6]), ints(b, [1]), ints(b, [2])], {}, { name: 'strided' });
    expect(() => appendBackward(b, { loss: b.op('ReduceSum', [y], { keepdims: 0 }), wrt: ['x'] })).toThrow(/Slice node 'strided'.*steps other than 1.*\[2\]/);
  });

  it('Pad: gradient of constant_value', async () => {
    const r = rng(4);
    const rep = await gradCheck({
      dtype: d,
      inputs: { x: uniform(r, [2, 3], -1, 1, d), v: uniform(r, [], -1, 1, d) },
      forward: (b, n) => b.op('Pad', [n.x, ints(b, [1, 0, 0, 2]), n.v]),
    });
    expect(rep.worst).toBeLessThanOrEqual(1);
  });
});

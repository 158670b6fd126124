import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { GraphInfo } from '../../src/train/autodiff/graph-info.js';

/** The channel shuffle of torchvision's shufflenet as torch.onnx.export writes it: shapes from Shape(x). */
function channelShuffle() {
  const b = new GraphBuilder({ opset: 17 });
  const x = b.input('x', 'float32', ['N', 8, 3, 5]);
  const shape = b.op('Shape', [x]);
  const dim = (i: number) => b.op('Unsqueeze', [b.op('Gather', [shape, b.constant(`i${i}`, 'int64', [], [i])], { axis: 0 }), b.constant(`a${i}`, 'int64', [1], [0])]);
  const perGroup = b.op('Div', [dim(1), b.constant('groups', 'int64', [1], [2])]);
  const split = b.op('Concat', [dim(0), b.constant('two', 'int64', [1], [2]), perGroup, dim(2), dim(3)], { axis: 0 });
  const grouped = b.op('Reshape', [x, split]);
  const swapped = b.op('Transpose', [grouped], { perm: [0, 2, 1, 3, 4] });
  const back = b.op('Reshape', [swapped, b.op('Concat', [dim(0), b.constant('minus', 'int64', [1], [-1]), dim(2), dim(3)], { axis: 0 })]);
  const half = b.op('Div', [b.op('Gather', [b.op('Shape', [back]), b.constant('c', 'int64', [1], [1])], { axis: 0 }), b.constant('h', 'int64', [1], [2])]);
  const second = b.op('Slice', [back, half, b.op('Mul', [half, b.constant('m', 'int64', [1], [2])]), b.constant('ax', 'int64', [1], [1])]);
  b.output(second, 'float32');
  return { graph: b.build().graph, split, grouped, back, half, second };
}

describe('GraphInfo shapes through Shape-built targets (one shape-inference run)', () => {
  it('folds shape arithmetic to dims, symbols kept, unknowns as null', () => {
    const g = channelShuffle();
    const info = new GraphInfo(g.graph, 17);
    expect(info.staticElements(g.split)).toEqual(['N', 2, 4, 3, 5]);
    expect(info.staticElements(g.half)).toEqual([4]);
    expect(info.shapeOf(g.grouped)).toEqual(['N', 2, 4, 3, 5]);
    // -1 resolved by cancelling the symbolic batch.
    expect(info.shapeOf(g.back)).toEqual(['N', 8, 3, 5]);
    expect(info.shapeOf(g.second)).toEqual(['N', 4, 3, 5]);
  });

  it("fills the dims a caller's shapes leave open, never overriding the caller's static dims", () => {
    const g = channelShuffle();
    const given: Record<string, (string | number | null)[]> = { [g.back]: [null, null, 3, 7], [g.second]: ['N', null, null, null] };
    const info = new GraphInfo(g.graph, 17, (name) => given[name]);
    // The caller's 7 stays; its nulls get the inferred symbol and static dims.
    expect(info.shapeOf(g.back)).toEqual(['N', 8, 3, 7]);
    expect(info.shapeOf(g.second)).toEqual(['N', 4, 3, 5]);
  });
});

describe('GraphInfo element types', () => {
  it("gives DequantizeLinear the scale's type and QuantizeLinear the zero point's, not the first input's", () => {
    const b = new GraphBuilder({ opset: 17 });
    b.initializer('w_q', 'int8', [4], Int8Array.from([1, -2, 3, -4]));
    const scale = b.constant('scale', 'float32', [], [0.5]);
    const w = b.op('DequantizeLinear', ['w_q', scale]);
    const x = b.input('x', 'float32', [4]);
    const q = b.op('QuantizeLinear', [x, scale, b.constant('zp', 'int8', [], [0])]);
    const qDefault = b.op('QuantizeLinear', [x, scale]);
    // Types that follow the first input: the Pad of the dequantized weight is float.
    const padded = b.op('Pad', [w, b.constant('pads', 'int64', [2], [1, 1])]);
    b.output(padded, 'float32');
    b.output(q, 'int8');
    b.output(qDefault, 'uint8');
    const info = new GraphInfo(b.build().graph, 17);
    expect([w, padded, q, qDefault].map((n) => info.dtypeOf(n))).toEqual(['float32', 'float32', 'int8', 'uint8']);
  });
});

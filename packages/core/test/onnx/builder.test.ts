import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, float, GraphBuilder, makeTensor } from '@onnxkit/core';

describe('GraphBuilder', () => {
  it('builds a model ORT runs, with typed attributes and symbolic batch', async () => {
    const b = new GraphBuilder({ opset: 17, name: 'mlp' });
    const x = b.input('x', 'float32', ['N', 3]);
    const w = b.initializer('w', 'float32', [2, 3], [1, 0, -1, 2, 1, 0]);
    const c = b.initializer('c', 'float32', [2], [0.5, -0.5]);
    const y = b.op('Gemm', [x, w, c], { transB: 1, alpha: float(2), beta: float(1) });
    b.output(b.op('LeakyRelu', [y], { alpha: 0.1 }, { output: 'out' }), 'float32', ['N', 2]);
    const model = decodeModel(encodeModel(b.build()));
    expect(model.graph.nodes[0].attributes.alpha).toEqual({ type: 'float', value: 2 });
    expect(model.graph.nodes[0].attributes.transB).toEqual({ type: 'int', value: 1 });
    expect(model.graph.inputs[0].type).toEqual({ kind: 'tensor', dtype: 'float32', shape: ['N', 3] });
    const session = await ort.InferenceSession.create(encodeModel(model));
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, -1, -2, -3]), [2, 3]) });
    // Row 1: 2*[1-3, 2+2] + c = [-4+0.5, 8-0.5] → leaky → [-0.35, 7.5]; row 2 negated product.
    expect(Array.from(out.out.data as Float32Array)).toEqual([
      expect.closeTo(-0.35, 6),
      expect.closeTo(7.5, 6),
      expect.closeTo(4.5, 6),
      expect.closeTo(-0.85, 6),
    ]);
  });

  it('refuses a name used twice and a tensor whose data disagrees with its dims', () => {
    const b = new GraphBuilder();
    b.input('x', 'float32', [1]);
    expect(() => b.input('x', 'float32', [1])).toThrow(/'x' is already used/);
    expect(() => makeTensor('t', 'float32', [2, 2], [1, 2, 3])).toThrow(RangeError);
  });

  it('keeps int64 tensors exact', () => {
    const t = makeTensor('big', 'int64', [2], [9007199254740993n, -5n]);
    const b = new GraphBuilder();
    b.initializer(t);
    b.output(b.op('Identity', ['big']), 'int64', [2]);
    const back = decodeModel(encodeModel(b.build()));
    expect(Array.from(back.graph.initializers[0].data as BigInt64Array)).toEqual([9007199254740993n, -5n]);
  });
});

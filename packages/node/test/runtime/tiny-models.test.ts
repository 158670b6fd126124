import { describe, expect, it } from 'vitest';
import { createSession } from '@onnxkit/node';
import { ELEM, tinyModel } from './tiny-model.js';

describe('input checks against symbolic, int64, bool and undeclared shapes (real ORT)', () => {
  it('symbolic dims take any size, fixed dims must match', async () => {
    const s = await createSession(
      tinyModel('Identity', [{ name: 'x', elem: ELEM.float32, shape: ['N', 3] }], [{ name: 'y', elem: ELEM.float32, shape: ['N', 3] }]),
      { device: 'cpu' },
    );
    expect(s.inputs[0].shape).toEqual(['N', 3]);
    const out = await s.run({ x: { data: new Float32Array([1, 2, 3, 4, 5, 6]), dims: [2, 3] } });
    expect(out.y.dims).toEqual([2, 3]);
    expect(Array.from(out.y.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(s.run({ x: { data: new Float32Array(8), dims: [2, 4] } })).rejects.toThrow(
      "has shape [2,4], but the model expects [N,3] (dim 1 is 4, expected 3).\nModel inputs:\n  x: float32[N,3]",
    );
    await expect(s.run({ x: new Float32Array(6) })).rejects.toThrow(TypeError);
    await s.release();
  });

  it('int64 needs a BigInt64Array; bool is told apart from uint8 by the model', async () => {
    const s = await createSession(
      tinyModel(
        'Identity',
        [{ name: 'ids', elem: ELEM.int64, shape: [2] }],
        [{ name: 'out', elem: ELEM.int64, shape: [2] }],
      ),
      { device: 'cpu' },
    );
    const out = await s.run({ ids: new BigInt64Array([7n, -1n]) });
    expect(out.out.dtype).toBe('int64');
    expect(Array.from(out.out.data as BigInt64Array)).toEqual([7n, -1n]);
    await expect(s.run({ ids: new Int32Array([7, 1]) })).rejects.toThrow(/has dtype int32 \(Int32Array\), but the model expects int64/);
    await s.release();

    const b = await createSession(
      tinyModel('Not', [{ name: 'm', elem: ELEM.bool, shape: [3] }], [{ name: 'n', elem: ELEM.bool, shape: [3] }]),
      { device: 'cpu' },
    );
    const not = await b.run({ m: new Uint8Array([1, 0, 1]) });
    expect(not.n.dtype).toBe('bool');
    expect(Array.from(not.n.data as Uint8Array)).toEqual([0, 1, 0]);
    await b.release();
  });

  it('an input without a declared shape takes any dims (ORT reports it like a scalar: [])', async () => {
    const s = await createSession(
      tinyModel('Identity', [{ name: 'x', elem: ELEM.float32 }], [{ name: 'y', elem: ELEM.float32 }]),
      { device: 'cpu' },
    );
    expect(s.inputs[0].shape).toEqual([]);
    expect((await s.run({ x: { data: new Float32Array(4), dims: [2, 2] } })).y.dims).toEqual([2, 2]);
    expect((await s.run({ x: new Float32Array([3]) })).y.dims).toEqual([]);
    await s.release();
  });

  it('fetches only the requested outputs', async () => {
    const s = await createSession(
      tinyModel('Identity', [{ name: 'x', elem: ELEM.float32, shape: [1] }], [{ name: 'y', elem: ELEM.float32, shape: [1] }]),
      { device: 'cpu' },
    );
    expect(Object.keys(await s.run({ x: new Float32Array([1]) }, { outputs: ['y'] }))).toEqual(['y']);
    await expect(s.run({ x: new Float32Array([1]) }, { outputs: ['z'] })).rejects.toThrow(TypeError);
    await s.release();
  });
});

import { Tensor } from 'onnxruntime-common';
import { describe, expect, it } from 'vitest';
import { prepareFeeds } from '../../src/runtime/feeds.js';
import type { TensorSpec } from '../../src/runtime/index.js';
import { fakeRuntime } from './fake-runtime.js';

const rt = fakeRuntime('node');
const INPUTS: TensorSpec[] = [
  { name: 'image', isTensor: true, dtype: 'float32', shape: ['batch', 3, 2] },
  { name: 'ids', isTensor: true, dtype: 'int64', shape: [2] },
  { name: 'mask', isTensor: true, dtype: 'bool', shape: [2] },
  { name: 'half', isTensor: true, dtype: 'float16', shape: [1] },
];
const EXPECTS = 'Model inputs:\n  image: float32[batch,3,2]\n  ids: int64[2]\n  mask: bool[2]\n  half: float16[1]';
const good = () => ({
  image: { data: new Float32Array(12), dims: [2, 3, 2] },
  ids: new BigInt64Array([1n, 2n]),
  mask: new Uint8Array([1, 0]),
  half: new Uint16Array([0x3c00]),
});

function thrown(feeds: unknown): Error {
  try {
    prepareFeeds(feeds, INPUTS, rt);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected prepareFeeds to throw');
}

describe('prepareFeeds', () => {
  it('converts every accepted form, picking the dtype the model expects for shared storage', () => {
    const t = prepareFeeds(good(), INPUTS, rt);
    expect(t.image.dims).toEqual([2, 3, 2]);
    expect(t.ids.type).toBe('int64');
    expect(t.ids.dims).toEqual([2]);
    expect(t.mask.type).toBe('bool');
    expect(t.half.type).toBe('float16');
  });

  it('passes ORT tensors through after checking dtype and shape', () => {
    const image = new Tensor('float32', new Float32Array(6), [1, 3, 2]);
    expect(prepareFeeds({ ...good(), image }, INPUTS, rt).image).toBe(image);
    const e = thrown({ ...good(), image: new Tensor('int32', new Int32Array(6), [1, 3, 2]) });
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toContain("input 'image' is a tensor of int32, but the model expects float32");
    expect(thrown({ ...good(), image: new Tensor('float32', new Float32Array(6), [1, 6]) })).toBeInstanceOf(RangeError);
  });

  it('TypeError for an unknown input, listing what the model expects', () => {
    const e = thrown({ ...good(), imgae: new Float32Array(1) });
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe(`run(feeds): unknown input 'imgae'.\n${EXPECTS}`);
  });

  it('TypeError for a missing input', () => {
    const { mask: _mask, ...rest } = good();
    const e = thrown(rest);
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe(`run(feeds): missing input 'mask'.\n${EXPECTS}`);
  });

  it('TypeError for a wrong dtype, inferred or explicit', () => {
    let e = thrown({ ...good(), image: { data: new Float64Array(12), dims: [2, 3, 2] } });
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toContain("input 'image' has dtype float64 (Float64Array), but the model expects float32.");
    e = thrown({ ...good(), ids: new Int32Array(2) });
    expect(e.message).toContain("input 'ids' has dtype int32 (Int32Array), but the model expects int64.");
    e = thrown({ ...good(), mask: { data: new Uint8Array(2), dims: [2], dtype: 'uint8' } });
    expect(e.message).toContain("input 'mask' has dtype uint8 (Uint8Array), but the model expects bool.");
    e = thrown({ ...good(), mask: { data: new Float32Array(2), dims: [2], dtype: 'bool' } });
    expect(e.message).toContain("dtype 'bool' cannot be stored in a Float32Array");
  });

  it('RangeError for a wrong rank or a wrong static dim; symbolic dims take any size', () => {
    expect(() => prepareFeeds({ ...good(), image: { data: new Float32Array(60), dims: [10, 3, 2] } }, INPUTS, rt)).not.toThrow();
    let e = thrown({ ...good(), image: { data: new Float32Array(12), dims: [12] } });
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toContain("input 'image' has shape [12], but the model expects [batch,3,2] (rank 1, expected 3).");
    e = thrown({ ...good(), image: { data: new Float32Array(12), dims: [2, 2, 3] } });
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toContain('(dim 1 is 2, expected 3)');
    expect(e.message).toContain(EXPECTS);
  });

  it('RangeError when the element count does not match dims', () => {
    const e = thrown({ ...good(), image: { data: new Float32Array(11), dims: [2, 3, 2] } });
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toContain("input 'image': data has 11 elements, but dims [2,3,2] need 12.");
    expect(thrown({ ...good(), ids: new BigInt64Array(3) })).toBeInstanceOf(RangeError);
  });

  it('needs dims for a bare array when the shape is symbolic', () => {
    const e = thrown({ ...good(), image: new Float32Array(12) });
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toContain('not fully static; pass { data, dims } instead');
  });

  it('refuses malformed values with TypeError/RangeError naming the input', () => {
    expect(thrown(null)).toBeInstanceOf(TypeError);
    expect(thrown(new Float32Array(1))).toBeInstanceOf(TypeError);
    expect(thrown({ ...good(), image: [1, 2, 3] }).message).toContain("input 'image' must be { data, dims }");
    expect(thrown({ ...good(), image: { data: [1, 2], dims: [2] } })).toBeInstanceOf(TypeError);
    expect(thrown({ ...good(), image: { data: new Float32Array(1), dims: 'x' } })).toBeInstanceOf(TypeError);
    expect(thrown({ ...good(), image: { data: new Float32Array(1), dims: [1, -3, 2] } })).toBeInstanceOf(RangeError);
    expect(thrown({ ...good(), image: { data: new Float32Array(1), dims: [1.5] } })).toBeInstanceOf(RangeError);
  });

  it('accepts any dims where ORT reports [] (scalar or undeclared shape)', () => {
    const specs: TensorSpec[] = [{ name: 'r', isTensor: true, dtype: 'float32', shape: [] }];
    expect(prepareFeeds({ r: new Float32Array([0.5]) }, specs, rt).r.dims).toEqual([]);
    expect(prepareFeeds({ r: { data: new Float32Array(4), dims: [2, 2] } }, specs, rt).r.dims).toEqual([2, 2]);
  });
});

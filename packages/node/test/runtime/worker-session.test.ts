import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { nodeRuntime } from '../../src/runtime/node-runtime.js';
import { ELEM, tinyModel } from './tiny-model.js';

// Worker sessions (the Trainer's data-parallel replicas) post their feeds to another thread. Views of one
// buffer (the Trainer's parameters are views of one flat buffer) must arrive with their own offsets.

const add = tinyModel('Add', [{ name: 'a', elem: ELEM.float32, shape: [3] }, { name: 'b', elem: ELEM.float32, shape: [3] }], [{ name: 'sum', elem: ELEM.float32, shape: [3] }]);

describe('worker session feeds', () => {
  it('views that share one buffer, views of a larger buffer and whole buffers all arrive as they were', async () => {
    const session = await nodeRuntime.createWorkerSession!(add, { executionProviders: ['cpu'] });
    const flat = Float32Array.from([1, 2, 3, 10, 20, 30]);
    const shared = await session.run({ a: new ort.Tensor('float32', flat.subarray(0, 3), [3]), b: new ort.Tensor('float32', flat.subarray(3, 6), [3]) });
    expect(Array.from(shared.sum.data as Float32Array)).toEqual([11, 22, 33]);

    const large = Float32Array.from({ length: 1000 }, (_, i) => i);
    const small = await session.run({ a: new ort.Tensor('float32', large.subarray(500, 503), [3]), b: new ort.Tensor('float32', Float32Array.of(1, 1, 1), [3]) });
    expect(Array.from(small.sum.data as Float32Array)).toEqual([501, 502, 503]);
    // The caller's buffers are untouched by posting.
    expect(flat[3]).toBe(10);
    expect(large[500]).toBe(500);
    await session.release();
  });

  it('runMoving moves the feeds there and back without a copy: detached while away, the same views after', async () => {
    const session = await nodeRuntime.createWorkerSession!(add, { executionProviders: ['cpu'] });
    const mail = Float32Array.from([1, 2, 3, 10, 20, 30, 99]);
    const pending = session.runMoving({ a: new ort.Tensor('float32', mail.subarray(0, 3), [3]), b: new ort.Tensor('float32', mail.subarray(3, 6), [3]) });
    expect(mail.length).toBe(0); // moved: this view is detached until the buffer comes back
    const { outputs, feeds } = await pending;
    expect(Array.from(outputs.sum.data as Float32Array)).toEqual([11, 22, 33]);
    const a = feeds.a.data as Float32Array;
    const b = feeds.b.data as Float32Array;
    expect(a.buffer).toBe(b.buffer); // one buffer went and came back
    expect([a.byteOffset, b.byteOffset, a.buffer.byteLength]).toEqual([0, 12, 28]);
    expect(Array.from(new Float32Array(a.buffer))).toEqual([1, 2, 3, 10, 20, 30, 99]);
    const shared = new Float32Array(new SharedArrayBuffer(12));
    await expect(session.runMoving({ a: new ort.Tensor('float32', shared, [3]), b: new ort.Tensor('float32', shared, [3]) })).rejects.toThrow(
      /input 'a' must be over a plain ArrayBuffer/,
    );
    await session.release();
    await expect(session.runMoving({})).rejects.toThrow(/has been released/);
  });
});

import { describe, expect, it } from 'vitest';
import { memoryStore } from '../src/storage/memory-store.js';

describe('memoryStore', () => {
  it('stores copies of bytes under keys', async () => {
    const store = memoryStore();
    const bytes = Uint8Array.of(1, 2, 3);
    await store.set('b/model.onnx', bytes);
    await store.set('a', Uint8Array.of(9));
    bytes[0] = 7;
    expect(await store.get('b/model.onnx')).toEqual(Uint8Array.of(1, 2, 3));
    expect(await store.keys()).toEqual(['a', 'b/model.onnx']);
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
    expect(store).toMatchObject({ kind: 'memory', persistent: false });
  });

  it('checks keys and bytes', async () => {
    const store = memoryStore();
    await expect(store.set('', Uint8Array.of(1))).rejects.toThrow(RangeError);
    await expect(store.get(3 as never)).rejects.toThrow(TypeError);
    await expect(store.set('k', [1, 2] as never)).rejects.toThrow(/bytes must be a Uint8Array/);
  });
});

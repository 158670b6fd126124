import { describe, expect, it } from 'vitest';
import { createSession, getRuntime, hasRuntime, registerRuntime } from '../../src/runtime/index.js';
import { fakeRuntime } from './fake-runtime.js';

describe('runtime registry', () => {
  it('says which package to import when no runtime is registered', async () => {
    expect(hasRuntime()).toBe(false);
    expect(() => getRuntime()).toThrow("import '@onnxkit/node' (Node) or '@onnxkit/web' (browsers)");
    await expect(createSession(new Uint8Array([1]))).rejects.toThrow(/no ONNX Runtime registered/);
  });

  it('registers, replaces and validates runtimes', () => {
    const a = fakeRuntime('node');
    const b = fakeRuntime('web');
    registerRuntime(a);
    expect(getRuntime()).toBe(a);
    registerRuntime(b);
    expect(getRuntime()).toBe(b);
    expect(() => registerRuntime({} as never)).toThrow(TypeError);
    expect(() => registerRuntime({ ...a, platform: 'deno' } as never)).toThrow(RangeError);
  });
});

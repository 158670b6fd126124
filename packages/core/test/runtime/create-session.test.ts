import { Tensor } from 'onnxruntime-common';
import { beforeEach, describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/errors.js';
import { createSession, DeviceUnavailableError, registerRuntime, Session } from '../../src/runtime/index.js';
import { fakeRuntime, identityModelBytes } from './fake-runtime.js';

const MODEL = identityModelBytes();
const CUDA_ERR = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';
const NO_ADAPTER = 'Failed to get a WebGPU adapter: No supported adapters';

describe('createSession device resolution (fake runtime)', () => {
  let rt: ReturnType<typeof fakeRuntime>;
  beforeEach(() => {
    rt = fakeRuntime('node', { cuda: CUDA_ERR, webgpu: NO_ADAPTER }, (d) =>
      d === 'cuda' ? 'missing libonnxruntime_providers_shared.so' : undefined,
    );
    registerRuntime(rt);
  });

  it("tries 'auto' devices in order and reports the fallback with ORT's text", async () => {
    const s = await createSession(MODEL);
    expect(s).toBeInstanceOf(Session);
    expect(s.device).toBe('cpu');
    expect(s.fallbacks).toEqual([
      { device: 'cuda', error: `${CUDA_ERR} (missing libonnxruntime_providers_shared.so)` },
      { device: 'webgpu', error: NO_ADAPTER },
    ]);
    expect(rt.calls.map((c) => c.provider)).toEqual([{ name: 'cuda' }, { name: 'webgpu' }, { name: 'cpu' }]);
  });

  it("passes over a software or missing adapter under 'auto' without starting it, and starts it when named", async () => {
    const swiftShader = { name: 'SwiftShader Device (Subzero)', driver: '/usr/lib/chromium/libvk_swiftshader.so', software: true };
    const soft = fakeRuntime('node', { cuda: CUDA_ERR }, undefined, (d) => (d === 'webgpu' ? { adapter: swiftShader } : undefined));
    registerRuntime(soft);
    const s = await createSession(MODEL);
    expect(s.device).toBe('cpu');
    expect(s.adapter).toBeUndefined();
    expect(s.fallbacks[1]).toEqual({
      device: 'webgpu',
      adapter: swiftShader,
      error:
        "its adapter 'SwiftShader Device (Subzero)' (software, /usr/lib/chromium/libvk_swiftshader.so) is a software " +
        "renderer, which 'auto' never picks; ask for device 'webgpu' to use it",
    });
    expect(soft.calls.map((c) => c.provider)).toEqual([{ name: 'cuda' }, { name: 'cpu' }]);
    const named = await createSession(MODEL, { device: ['webgpu', 'cpu'] });
    expect([named.device, named.adapter]).toEqual(['webgpu', swiftShader]);

    const gpu = { name: 'NVIDIA GeForce RTX 4090', driver: '/usr/lib/x86_64-linux-gnu/libGLX_nvidia.so.0', software: false };
    registerRuntime(fakeRuntime('node', { cuda: CUDA_ERR }, undefined, () => ({ adapter: gpu })));
    const hw = await createSession(MODEL);
    expect([hw.device, hw.adapter, hw.fallbacks.map((f) => f.device)]).toEqual(['webgpu', gpu, ['cuda']]);

    const none = fakeRuntime('node', { cuda: CUDA_ERR }, undefined, () => ({ unavailable: NO_ADAPTER }));
    registerRuntime(none);
    const cpu = await createSession(MODEL);
    expect([cpu.device, cpu.fallbacks[1]]).toEqual(['cpu', { device: 'webgpu', error: NO_ADAPTER }]);
    expect(none.calls.map((c) => c.provider)).toEqual([{ name: 'cuda' }, { name: 'cpu' }]);
  });

  it('starts a working first device without fallbacks', async () => {
    const s = await createSession(MODEL, { device: ['cpu', 'cuda'] });
    expect(s.device).toBe('cpu');
    expect(s.fallbacks).toEqual([]);
    expect(rt.calls).toHaveLength(1);
  });

  it('makes a single device strict, with install instructions in the error', async () => {
    const err = await createSession(MODEL, { device: 'cuda' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceUnavailableError);
    const e = err as DeviceUnavailableError;
    expect(e.message).toContain(`device 'cuda' failed to start: ${CUDA_ERR} (missing libonnxruntime_providers_shared.so)`);
    expect(e.message).toContain('--onnxruntime-node-install=cuda12');
    expect(e.message).toContain('CUDA 12 and cuDNN 9');
    expect(e.fallbacks).toHaveLength(1);
    expect(rt.calls).toHaveLength(1);
  });

  it('lists every failure when no device starts', async () => {
    registerRuntime(fakeRuntime('node', { cuda: 'no cuda', webgpu: 'no adapter' }));
    const e = (await createSession(MODEL, { device: ['cuda', 'webgpu'] }).catch((x: unknown) => x)) as DeviceUnavailableError;
    expect(e).toBeInstanceOf(DeviceUnavailableError);
    expect(e.message).toBe('no device could start the session (tried cuda, webgpu):\n  cuda: no cuda\n  webgpu: no adapter');
    expect(e.fallbacks.map((f) => f.device)).toEqual(['cuda', 'webgpu']);
    expect((e.cause as Error).message).toBe('no adapter');
  });

  it('blames the model, not a device, when the last-resort device refuses it too', async () => {
    registerRuntime(fakeRuntime('node', { cuda: 'no cuda', webgpu: 'no adapter', cpu: 'bad model' }));
    const e = (await createSession(MODEL).catch((x: unknown) => x)) as ModelFormatError;
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.code).toBe('invalid');
    expect(e.message).toBe('the model bytes: ONNX Runtime cannot load the model: bad model');
    const devices = e.cause as DeviceUnavailableError;
    expect(devices).toBeInstanceOf(DeviceUnavailableError);
    expect(devices.message).toBe('no device could start the session (tried cuda, webgpu, cpu):\n  cuda: no cuda\n  webgpu: no adapter\n  cpu: bad model');
    expect((devices.cause as Error).message).toBe('bad model');
    registerRuntime(fakeRuntime('node', { cpu: 'Protobuf parsing failed.' }));
    const strict = (await createSession(MODEL, { device: 'cpu' }).catch((x: unknown) => x)) as Error;
    expect(strict.message).toBe('the model bytes: ONNX Runtime cannot load the model: Protobuf parsing failed.');
    expect((strict.cause as Error).message).toBe("device 'cpu' failed to start: Protobuf parsing failed.");
  });

  it('passes session options through and builds the provider config', async () => {
    await createSession(MODEL, {
      device: 'cuda',
      deviceId: 1,
      providerOptions: { cuda: { cudnnConvAlgoSearch: 'DEFAULT' } },
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'basic',
      logSeverityLevel: 0,
      preferredOutputLocation: 'gpu-buffer',
    }).catch(() => undefined);
    expect(rt.calls[0].options).toEqual({
      executionProviders: [{ name: 'cuda', deviceId: 1, cudnnConvAlgoSearch: 'DEFAULT' }],
      intraOpNumThreads: 2,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'basic',
      logSeverityLevel: 0,
      preferredOutputLocation: 'gpu-buffer',
    });
  });

  it('rejects bad options and models before any device is tried', async () => {
    await expect(createSession(MODEL, { device: 'wasm' })).rejects.toThrow(RangeError);
    await expect(createSession(MODEL, { intraOpNumThreads: -1 })).rejects.toThrow(RangeError);
    await expect(createSession(MODEL, { deviceId: '0' as never })).rejects.toThrow(TypeError);
    await expect(createSession(MODEL, { graphOptimizationLevel: 'max' as never })).rejects.toThrow(/graphOptimizationLevel/);
    await expect(createSession(MODEL, { executionProviders: ['cpu'] } as never)).rejects.toThrow(/use options.device/);
    await expect(createSession(42 as never)).rejects.toThrow(TypeError);
    await expect(createSession(new Uint8Array(0))).rejects.toThrow(/model is empty/);
    expect(rt.calls).toHaveLength(0);
  });

  it('loads string models through the runtime and accepts ArrayBuffers', async () => {
    expect((await createSession('model.onnx', { device: 'cpu' })).device).toBe('cpu');
    expect((await createSession(new Uint8Array(MODEL).buffer, { device: 'cpu' })).device).toBe('cpu');
  });
});

describe('Session.run (fake runtime)', () => {
  it('returns OutputTensors and honours release', async () => {
    registerRuntime(fakeRuntime('web'));
    const s = await createSession(MODEL, { device: 'wasm' });
    expect(s.inputs).toEqual([{ name: 'x', isTensor: true, dtype: 'float32', shape: ['batch', 2] }]);
    const out = await s.run({ x: { data: new Float32Array([1, 2, 3, 4]), dims: [2, 2] } });
    expect(out.y.dtype).toBe('float32');
    expect(out.y.dims).toEqual([2, 2]);
    expect(Array.from(out.y.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(out.y.tensor).toBeInstanceOf(Tensor);
    await expect(s.run({ x: { data: new Float32Array(2), dims: [1, 2] } }, { outputs: ['z'] })).rejects.toThrow(
      /unknown output 'z'.\nModel outputs:\n {2}y: float32\[batch,2\]/,
    );
    await s.release();
    await s.release();
    expect(s.released).toBe(true);
    await expect(s.run({ x: new Float32Array(2) })).rejects.toThrow(/released/);
  });
});

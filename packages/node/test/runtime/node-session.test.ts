import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  CUDA_PROVIDER_LIBRARIES,
  createSession,
  DeviceUnavailableError,
  getRuntime,
  nodeRuntime,
  ortBinaryDir,
  Session,
} from '@onnxkit/node';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MNIST = path.resolve(repoRoot, '../shared/fixtures/models/mnist-onnx/mnist-8.onnx');
const EXPECTS = 'Model inputs:\n  Input3: float32[1,1,28,28]';
/** CUDA assertions only hold where ORT's CUDA provider is absent, as on the build machines. */
const cudaInstalled = CUDA_PROVIDER_LIBRARIES.every((lib) => existsSync(path.join(ortBinaryDir() ?? '', lib)));

/** A deterministic image: a diagonal stroke in 0..1. */
function image(): Float32Array {
  const img = new Float32Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) img[y * 28 + x] = Math.abs(x - y) < 2 ? 1 : (x * y) / 729;
  return img;
}

describe('@onnxkit/node runtime on mnist-8', () => {
  it('registers onnxruntime-node on import', () => {
    expect(getRuntime()).toBe(nodeRuntime);
    expect(nodeRuntime.platform).toBe('node');
    expect(nodeRuntime.name).toBe('onnxruntime-node 1.30.0');
  });

  it('reads inputs and outputs from the model', async () => {
    const s = await createSession(MNIST, { device: 'cpu' });
    expect(s).toBeInstanceOf(Session);
    expect(s.inputs).toEqual([{ name: 'Input3', isTensor: true, dtype: 'float32', shape: [1, 1, 28, 28] }]);
    expect(s.outputs).toEqual([{ name: 'Plus214_Output_0', isTensor: true, dtype: 'float32', shape: [1, 10] }]);
    await s.release();
  });

  it('gives the same outputs as raw onnxruntime-node', async () => {
    const input = image();
    const raw = await ort.InferenceSession.create(MNIST);
    const expected = (await raw.run({ Input3: new ort.Tensor('float32', input, [1, 1, 28, 28]) })).Plus214_Output_0;
    await raw.release();

    const s = await createSession(MNIST, { device: 'cpu', graphOptimizationLevel: 'all' });
    const forms = [
      { Input3: input },
      { Input3: { data: input, dims: [1, 1, 28, 28] } },
      { Input3: new ort.Tensor('float32', input, [1, 1, 28, 28]) },
    ];
    for (const feeds of forms) {
      const out = (await s.run(feeds)).Plus214_Output_0;
      expect(out.dtype).toBe('float32');
      expect(out.dims).toEqual([1, 10]);
      expect(out.location).toBe('cpu');
      expect(Array.from(out.data as Float32Array)).toEqual(Array.from(expected.data as Float32Array));
    }
    await s.release();
  });

  it('loads from bytes as well as from a path', async () => {
    const { readModelFile } = await import('@onnxkit/node');
    const s = await createSession(await readModelFile(MNIST), { device: 'cpu' });
    expect(s.device).toBe('cpu');
    await s.release();
    await expect(createSession(path.join(repoRoot, 'nope.onnx'))).rejects.toThrow(/cannot read model '.*nope\.onnx': no such file/);
    await expect(createSession(repoRoot)).rejects.toThrow(/a directory, not a regular file/);
  });

  it('passes session options to ORT (threads, optimisation level, log level)', async () => {
    const s = await createSession(MNIST, {
      device: 'cpu',
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'disabled',
      executionMode: 'sequential',
      logSeverityLevel: 3,
    });
    expect((await s.run({ Input3: image() })).Plus214_Output_0.dims).toEqual([1, 10]);
    await s.release();
  });

  it.skipIf(cudaInstalled)("falls back from 'cuda' to 'cpu' under 'auto', keeping ORT's error text", async () => {
    const s = await createSession(MNIST);
    expect(s.device).toBe('cpu');
    // In between, 'auto' tried webgpu: this machine has no GPU, so no adapter or only a software one.
    expect(s.fallbacks.map((f) => f.device)).toEqual(['cuda', 'webgpu']);
    expect(s.fallbacks[1].error).toMatch(/Failed to get a WebGPU adapter|software renderer/);
    expect(s.fallbacks[0].error).toContain('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
    expect(s.fallbacks[0].error).toContain('missing libonnxruntime_providers_shared.so, libonnxruntime_providers_cuda.so');
    await s.release();

    const listed = await createSession(MNIST, { device: ['cuda', 'cpu'], deviceId: 0 });
    expect(listed.device).toBe('cpu');
    expect(listed.fallbacks.map((f) => f.device)).toEqual(['cuda']);
    await listed.release();
  });

  it.skipIf(cudaInstalled)("fails a strict 'cuda' naming the missing library and how to install it", async () => {
    const e = (await createSession(MNIST, { device: 'cuda' }).catch((x: unknown) => x)) as DeviceUnavailableError;
    expect(e).toBeInstanceOf(DeviceUnavailableError);
    expect(e.message).toMatch(
      /^device 'cuda' failed to start: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library \(missing libonnxruntime_providers_shared\.so/,
    );
    expect(e.message).toContain('npm install onnxruntime-node --onnxruntime-node-install=cuda12');
    expect(e.message).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect(e.message).toContain('CUDA 12 and cuDNN 9');
    expect(e.fallbacks).toEqual([{ device: 'cuda', error: expect.stringContaining('Failed to load shared library') }]);
    expect((e.cause as Error).message).toBe('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
  });

  it("refuses the browser-only 'wasm' in Node with a RangeError", async () => {
    await expect(createSession(MNIST, { device: 'wasm' })).rejects.toThrow(
      new RangeError("device: 'wasm' is not offered on node; node offers 'cuda', 'webgpu', 'cpu'"),
    );
    await expect(createSession(MNIST, { device: ['wasm'] })).rejects.toThrow(RangeError);
  });

  describe('checks inputs before ORT sees them', () => {
    const session = () => createSession(MNIST, { device: 'cpu' });

    it('wrong input name → TypeError listing the inputs', async () => {
      const s = await session();
      await expect(s.run({ input: image() })).rejects.toThrow(new TypeError(`run(feeds): unknown input 'input'.\n${EXPECTS}`));
      await expect(s.run({})).rejects.toThrow(new TypeError(`run(feeds): missing input 'Input3'.\n${EXPECTS}`));
      await s.release();
    });

    it('wrong dtype → TypeError', async () => {
      const s = await session();
      await expect(s.run({ Input3: { data: new Float64Array(784), dims: [1, 1, 28, 28] } })).rejects.toThrow(
        new TypeError(
          `run(feeds): input 'Input3' has dtype float64 (Float64Array), but the model expects float32.\n${EXPECTS}`,
        ),
      );
      await expect(s.run({ Input3: new ort.Tensor('int32', new Int32Array(784), [1, 1, 28, 28]) })).rejects.toThrow(
        TypeError,
      );
      await s.release();
    });

    it('wrong shape → RangeError', async () => {
      const s = await session();
      await expect(s.run({ Input3: { data: image(), dims: [1, 784] } })).rejects.toThrow(
        new RangeError(
          `run(feeds): input 'Input3' has shape [1,784], but the model expects [1,1,28,28] (rank 2, expected 4).\n${EXPECTS}`,
        ),
      );
      await expect(s.run({ Input3: { data: image(), dims: [1, 1, 14, 56] } })).rejects.toThrow(/dim 2 is 14, expected 28/);
      await s.release();
    });

    it('data length ≠ product(dims) → RangeError', async () => {
      const s = await session();
      await expect(s.run({ Input3: new Float32Array(783) })).rejects.toThrow(
        new RangeError(`run(feeds): input 'Input3': data has 783 elements, but dims [1,1,28,28] need 784.\n${EXPECTS}`),
      );
      await s.release();
    });
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSkipReason, repoRoot, runInBrowser } from './harness.js';
import { linesBetween, nodePlacements } from './ort-log.js';

interface RunResult {
  device: string;
  fallbacks: { device: string; error: string }[];
  dims: number[];
  dtype: string;
  data: number[];
}
interface EntryResult {
  webgpu: RunResult;
  wasm: RunResult;
  auto: { device: string; fallbacks: unknown[] };
  badInput: string;
  crossOriginIsolated: boolean;
}

if (browserSkipReason) console.warn(browserSkipReason);

describe.skipIf(browserSkipReason !== undefined)('@onnxkit/web in Chromium (mnist-8)', () => {
  it('runs every node on WebGPU, matches WASM and checks inputs', async () => {
    const entry = path.join(repoRoot, 'test/browser/entries/runtime-entry.ts');
    const { result, logs } = await runInBrowser<EntryResult>(entry);
    const lines = logs.map((l) => l.text);

    expect(result.webgpu.device).toBe('webgpu');
    expect(result.webgpu.fallbacks).toEqual([]);
    expect(result.wasm.device).toBe('wasm');
    expect(result.webgpu.dims).toEqual([1, 10]);
    expect(result.webgpu.dtype).toBe('float32');

    // Proof of placement comes from ORT itself, not from what onnxkit asked for.
    const gpuPlacements = nodePlacements(linesBetween(lines, '### begin webgpu', '### end webgpu'));
    expect(gpuPlacements).toHaveLength(1);
    expect(Object.keys(gpuPlacements[0])).toEqual(['WebGpuExecutionProvider']);
    expect(gpuPlacements[0].WebGpuExecutionProvider).toBeGreaterThan(0);
    expect(lines.some((l) => /All nodes placed on \[WebGpuExecutionProvider\]/.test(l))).toBe(true);
    const wasmPlacements = nodePlacements(linesBetween(lines, '### begin wasm', '### end wasm'));
    expect(Object.keys(wasmPlacements[0])).toEqual(['CPUExecutionProvider']);

    let maxDiff = 0;
    for (let i = 0; i < 10; i++) maxDiff = Math.max(maxDiff, Math.abs(result.webgpu.data[i] - result.wasm.data[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    // A real digit-like input gives a decisive, non-constant output.
    expect(Math.max(...result.wasm.data) - Math.min(...result.wasm.data)).toBeGreaterThan(1);

    expect(result.auto).toEqual({ device: 'webgpu', fallbacks: [] });
    expect(result.badInput).toMatch(/^RangeError: run\(feeds\): input 'Input3' has shape \[1,10\]/);
    expect(result.badInput).toContain('Input3: float32[1,1,28,28]');
  });
});

describe.skipIf(browserSkipReason !== undefined)('@onnxkit/web in Chromium without a WebGPU adapter', () => {
  it("falls back to 'wasm' under 'auto' and fails a strict 'webgpu' with ORT's reason", async () => {
    const entry = path.join(repoRoot, 'test/browser/entries/fallback-entry.ts');
    const { result } = await runInBrowser<{
      device: string;
      fallbacks: { device: string; error: string }[];
      dims: number[];
      strict: string;
    }>(entry, { withoutArgs: ['--enable-unsafe-webgpu'] });
    expect(result.device).toBe('wasm');
    expect(result.dims).toEqual([1, 10]);
    expect(result.fallbacks).toHaveLength(1);
    expect(result.fallbacks[0].device).toBe('webgpu');
    expect(result.fallbacks[0].error).toContain('Failed to get GPU adapter');
    expect(result.strict).toMatch(/^DeviceUnavailableError: device 'webgpu' failed to start: .*Failed to get GPU adapter/);
    expect(result.strict).toContain('--enable-unsafe-webgpu');
  });
});

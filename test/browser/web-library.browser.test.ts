import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSkipReason, repoRoot, runInBrowser, waitForReport, withBrowserPage } from './harness.js';

const entry = (name: string) => path.join(repoRoot, 'test/browser/entries', name);

interface Sums {
  sum: number;
  squares: number;
  head: number[];
}

/** Index of the largest value of each row of 10. */
const argmaxRows = (p: number[]) => Array.from({ length: p.length / 10 }, (_, i) => {
  const row = p.slice(i * 10, i * 10 + 10);
  return row.indexOf(Math.max(...row));
});

describe.skipIf(browserSkipReason !== undefined)('@onnxkit/web in Chromium: storage, checkpoints, export', () => {
  it('keeps checkpoints and fine-tuned models in OPFS and IndexedDB across a reload', async () => {
    await withBrowserPage(entry('web-storage-entry.ts'), async (page, logs, { origin }) => {
      await page.goto(`${origin}/__harness/page.html?phase=1`);
      const one = await waitForReport<{
        basic: Record<string, unknown>[];
        auto: { kind: string; skipped: unknown[] };
        device: string;
        location: string;
        step: number;
        params: Sums;
        sizes: number[];
        evalOutputs: number[];
        exportedOutputs: number[];
      }>(page, logs, 150_000);
      for (const [i, kind] of ['opfs', 'indexeddb'].entries()) {
        expect(one.basic[i]).toEqual({
          kind,
          persistent: true,
          bigIntact: true,
          overwritten: [2, 3],
          missing: true,
          keys: ['dir/a b%.onnx', 'z'],
          deleted: [true, false],
          keysAfter: ['dir/a b%.onnx'],
        });
      }
      expect(one.auto).toEqual({ kind: 'opfs', skipped: [] });
      // Trained on WebGPU with the parameters resident on the GPU; the checkpoint reads them back.
      expect(one.device).toBe('webgpu');
      expect(one.location).toBe('gpu-buffer');
      expect(one.step).toBe(1);
      expect(one.sizes[0]).toBe(one.sizes[1]);
      expect(one.sizes[0]).toBeGreaterThan(2 * 93_322 * 4);
      // The exported bytes are the trained model: a fresh session gives the eval graph's outputs.
      const diff = Math.max(...one.exportedOutputs.map((v, i) => Math.abs(v - one.evalOutputs[i])));
      expect(diff).toBeLessThan(1e-4);

      // A fresh page load (the same as a reload, with the next phase in the URL).
      await page.goto(`${origin}/__harness/page.html?phase=2`);
      const two = await waitForReport<{
        restored: { kind: string; metadata: Record<string, string>; step: number; before: Sums; params: Sums }[];
        missing: unknown;
        storedOutputs: number[];
        wrongArtifacts: string;
      }>(page, logs, 150_000);
      expect(two.restored.map((r) => r.kind)).toEqual(['opfs', 'indexeddb']);
      for (const r of two.restored) {
        expect(r.before).not.toEqual(one.params);
        expect(r.params).toEqual(one.params);
        expect(r.step).toBe(1);
        expect(r.metadata).toEqual({ note: 'phase 1' });
      }
      expect(two.missing).toBeUndefined();
      expect(two.storedOutputs).toEqual(one.exportedOutputs);
      expect(two.wrongArtifacts).toMatch(/^RangeError: loadCheckpoint: this checkpoint belongs to another model/);
    });
  }, 320_000);
});

describe.skipIf(browserSkipReason !== undefined)('@onnxkit/web in Chromium: loading', () => {
  it('reports download progress and queues concurrent session creation and runs', async () => {
    const { result } = await runInBrowser<{
      size: number;
      progress: { loaded: number; total: number }[];
      queued: number;
      devices: string[];
      outputs: number[][];
      concurrent: number[][];
      ortFiles: string[];
    }>(entry('web-queue-entry.ts'));
    const last = result.progress[result.progress.length - 1];
    expect(last).toEqual({ loaded: result.size, total: result.size });
    expect(result.progress.every((p) => p.total === result.size)).toBe(true);
    expect(result.queued).toBe(4);
    expect(result.devices).toEqual(['webgpu', 'wasm', 'webgpu', 'webgpu']);
    const labels = argmaxRows(result.outputs[0]);
    expect(labels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const o of result.outputs) {
      expect(Math.max(...o.map((v, i) => Math.abs(v - result.outputs[0][i])))).toBeLessThan(1e-4);
    }
    // Eight overlapping runs all settled, with the same numbers as one at a time.
    expect(result.concurrent).toEqual([...result.outputs, ...result.outputs]);
    // The WebGPU build fetches its own WebAssembly binary (the WebGPU EP is compiled into it).
    expect(result.ortFiles.filter((f) => f.endsWith('.wasm'))).toEqual(['ort-wasm-simd-threaded.asyncify.wasm']);
    expect(result.ortFiles).toContain('ort.webgpu.bundle.min.mjs');
  });

  it("'@onnxkit/web/wasm' runs on wasm, explains the missing webgpu and loads only the plain WASM binary", async () => {
    const { result } = await runInBrowser<{
      device: string;
      fallbacks: { device: string; error: string }[];
      probabilities: number[];
      strict: string;
      runtime: string;
      ortFiles: string[];
    }>(entry('web-wasm-build-entry.ts'));
    expect(result.device).toBe('wasm');
    expect(result.runtime).toMatch(/WASM-only build/);
    expect(result.fallbacks).toHaveLength(1);
    expect(result.fallbacks[0].device).toBe('webgpu');
    expect(result.fallbacks[0].error).toContain("import '@onnxkit/web' for WebGPU");
    expect(result.strict).toMatch(/^DeviceUnavailableError: device 'webgpu' failed to start: WebGPU is not in the WASM-only build/);
    expect(argmaxRows(result.probabilities)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(result.ortFiles.filter((f) => f.endsWith('.wasm'))).toEqual(['ort-wasm-simd-threaded.wasm']);
    expect(result.ortFiles).toContain('ort.wasm.bundle.min.mjs');
  });
});

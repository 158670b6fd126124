import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSkipReason, repoRoot, runInBrowser } from './harness.js';
import { linesBetween, nodePlacements } from './ort-log.js';

interface Curve {
  device: string;
  losses: number[];
  locations: string[];
  params: number[];
}

describe.skipIf(browserSkipReason !== undefined)('Trainer in Chromium: WebGPU with resident parameters vs WASM', () => {
  it('trains the seed CNN with the same loss curve on webgpu and wasm (1e-3)', async () => {
    const { result, logs } = await runInBrowser<{ webgpu: Curve; wasm: Curve }>(
      path.join(repoRoot, 'test/browser/entries/trainer-entry.ts'),
      { timeoutMs: 170_000 },
    );
    const { webgpu, wasm } = result;
    expect(webgpu.device).toBe('webgpu');
    expect(wasm.device).toBe('wasm');
    // 30 digits, batches of 5, 1 epoch.
    expect(webgpu.losses).toHaveLength(6);
    // Parameters stay on the GPU between steps on webgpu, on the CPU heap on wasm.
    expect(new Set(webgpu.locations)).toEqual(new Set(['gpu-buffer']));
    expect(new Set(wasm.locations)).toEqual(new Set(['cpu']));
    const diffs = webgpu.losses.map((l, i) => Math.abs(l - wasm.losses[i]));
    console.log(`loss curves: webgpu ${webgpu.losses.map((l) => l.toFixed(4)).join(' ')}; diffs vs wasm ${diffs.map((d) => d.toExponential(1)).join(" ")}`);
    expect(Math.max(...diffs)).toBeLessThan(1e-3);
    expect(webgpu.losses[webgpu.losses.length - 1]).toBeLessThan(webgpu.losses[0]);
    // Every node of the three graphs ran on WebGPU.
    const placements = nodePlacements(linesBetween(logs.map((l) => l.text), '### begin webgpu', '### end webgpu'));
    expect(placements).toHaveLength(3);
    for (const p of placements) expect(Object.keys(p)).toEqual(['WebGpuExecutionProvider']);
  }, 200_000);
});

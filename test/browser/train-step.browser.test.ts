import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { browserSkipReason, runInBrowser } from './harness.js';
import { placements, section } from './placement.js';

/*
 * One training step of the seed CNN (batch 2) on WebGPU (Debian Chromium's SwiftShader adapter) and on
 * WASM, same weights and batch: no node of the training, optimizer or eval graph may fall back to the
 * CPU on WebGPU (ORT's verbose node-placement log is the evidence), and loss, gradients, new
 * parameters, new optimizer state and the eval loss after the step agree within 1e-4 (max abs diff).
 */
const ENTRY = fileURLToPath(new URL('./pages/train-step-entry.ts', import.meta.url));
const GRAPHS = ['training', 'optimizer', 'eval'] as const;

interface PageResult {
  results: Record<'webgpu' | 'wasm', { devices: string[]; numbers: Record<string, number[]> }>;
  nodes: Record<string, number>;
}

describe.skipIf(browserSkipReason)('seed CNN training step in the browser', () => {
  it('runs every node on WebGPU and matches WASM within 1e-4', { timeout: 600_000 }, async () => {
    const { result, logs } = await runInBrowser<PageResult>(ENTRY, { timeoutMs: 560_000 });
    const { webgpu, wasm } = result.results;
    expect(webgpu.devices).toEqual(['webgpu', 'webgpu', 'webgpu']);
    expect(wasm.devices).toEqual(['wasm', 'wasm', 'wasm']);

    // Placement first collected, asserted last: a fallback should not hide the numeric comparison.
    const offGpu: Record<string, string[]> = {};
    for (const graph of GRAPHS) {
      const placed = placements(section(logs, 'webgpu', graph));
      expect(placed.length, `no placement line for the ${graph} graph`).toBeGreaterThan(0);
      const summary = placed.map((p) => `${p.count} node(s) on ${p.provider}`).join(', ');
      const off = placed.filter((p) => p.provider !== 'WebGpuExecutionProvider');
      console.log(`webgpu ${graph} graph: ${summary}${off.length ? ` — off WebGPU: ${off.flatMap((p) => p.nodes).join(', ')}` : ''}`);
      if (off.length) offGpu[graph] = off.flatMap((p) => p.nodes.length ? p.nodes.map((n) => `${n} on ${p.provider}`) : [`${p.count} node(s) on ${p.provider}`]);
    }

    const names = Object.keys(wasm.numbers).sort();
    expect(Object.keys(webgpu.numbers).sort()).toEqual(names);
    let worst = { name: '', diff: 0 };
    for (const name of names) {
      const a = webgpu.numbers[name];
      const b = wasm.numbers[name];
      expect(a.length, name).toBe(b.length);
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
      if (!(diff <= worst.diff)) worst = { name, diff };
      expect(diff, `${name}: max |webgpu − wasm|`).toBeLessThanOrEqual(1e-4);
    }
    console.log(`webgpu vs wasm: ${names.length} tensors, largest max abs diff ${worst.diff.toExponential(2)} (${worst.name}); loss ${webgpu.numbers.loss[0]} → ${webgpu.numbers.eval_loss[0]}`);
    expect(webgpu.numbers.eval_loss[0]).toBeLessThan(webgpu.numbers.loss[0]);
    expect(offGpu, 'nodes placed off WebGPU, by graph').toEqual({});
  });
});

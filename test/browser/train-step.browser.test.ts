import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { browserSkipReason, runInBrowser, type ConsoleEntry } from './harness.js';

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

/** Console lines between `### begin <device> <graph>` and `### end <device> <graph>`. */
function section(logs: readonly ConsoleEntry[], device: string, graph: string): string[] {
  const texts = logs.map((l) => l.text);
  const begin = texts.indexOf(`### begin ${device} ${graph}`);
  const end = texts.indexOf(`### end ${device} ${graph}`);
  if (begin < 0 || end < begin) throw new Error(`no log section for ${device} ${graph}`);
  return texts.slice(begin + 1, end);
}

/**
 * ORT's placement report in a section: per provider, the node count and the nodes listed under
 * "Node(s) placed on [X]" (ORT prints "All nodes placed on [X]" when there is one provider).
 */
function placements(lines: readonly string[]): { provider: string; count: number; nodes: string[] }[] {
  const out: { provider: string; count: number; nodes: string[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /(All nodes|Node\(s\)) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(lines[i]);
    if (!m) continue;
    const entry = { provider: m[2], count: Number(m[3]), nodes: [] as string[] };
    // The listing follows, one " OpType (node name)" line each, possibly inside the same message.
    const rest = lines[i].slice(m.index + m[0].length).split('\n').concat(lines.slice(i + 1, i + 1 + entry.count));
    for (const l of rest) {
      const node = /^\s+(\w+) \(([^)]*)\)\s*$/.exec(l.replace(/^.*\]\s?/, ' '));
      if (node && entry.nodes.length < entry.count) entry.nodes.push(`${node[1]} (${node[2]})`);
    }
    out.push(entry);
  }
  return out;
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

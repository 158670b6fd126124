import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { torchvisionFixtureDir, TORCHVISION_ARCHITECTURES } from '../reference/torchvision-fixture.js';
import { browserSkipReason, runInBrowser } from './harness.js';
import { placements, section } from './placement.js';

/*
 * One training step (training graph, then optimizer graph) of the torchvision graphs on WebGPU in
 * Chromium (Debian's SwiftShader adapter): opset 17, portable target, 64×64, batch 2, BatchNormalization
 * frozen and in training mode. ORT's verbose node-placement log says where every node runs; the loss
 * must match PyTorch's (test/fixtures/torchvision) within 1e-3 and every output be finite. Every node
 * runs on WebGPU, but for shufflenet_v2's int64 shape arithmetic: its export computes the channel
 * shuffle's Reshape targets and `chunk`'s bounds from `x.size()` at run time (Shape → Gather → Div …
 * → Concat), and ORT keeps int64 shape math on the CPU (it has no WebGPU kernels for it).
 *
 * CI runs the architectures in $ONNXKIT_TORCHVISION_WEBGPU (comma-separated; default mobilenet_v3_small,
 * which has HardSwish, HardSigmoid, squeeze-excite, depthwise convolutions and BatchNormalization), `all`
 * runs the seven (several minutes on SwiftShader; docs/ARCHITECTURES.md has the result).
 */
const ENTRY = fileURLToPath(new URL('./pages/torchvision-step-entry.ts', import.meta.url));
const wanted = process.env.ONNXKIT_TORCHVISION_WEBGPU ?? 'mobilenet_v3_small';
const ARCHS = wanted === 'all' ? [...TORCHVISION_ARCHITECTURES] : wanted.split(',').map((s) => s.trim());

/** Architectures whose forward graph computes shapes at run time, and the int64 ops that arithmetic uses. */
const SHAPE_ARITHMETIC = new Set(['shufflenet_v2_x0_5']);
const SHAPE_OPS = new Set(['Shape', 'Gather', 'Squeeze', 'Unsqueeze', 'Concat', 'Div', 'Mul', 'Add', 'Sub', 'Split', 'Slice', 'Cast']);

const referenceLoss = (arch: string, mode: string) => {
  const file = path.join(torchvisionFixtureDir, mode === 'train' ? `${arch}-bn-train.json` : `${arch}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { loss: number }).loss;
};

describe.skipIf(browserSkipReason)('torchvision training steps on WebGPU in the browser', () => {
  it(`places every node of ${ARCHS.join(', ')} on WebGPU and matches PyTorch's loss`, { timeout: 1_800_000 }, async () => {
    for (const arch of ARCHS) expect(TORCHVISION_ARCHITECTURES as readonly string[]).toContain(arch);
    const { result, logs } = await runInBrowser<Record<string, { devices: string[]; loss: number; finite: boolean }>>(ENTRY, {
      timeoutMs: 1_790_000,
      define: { __ARCHITECTURES__: JSON.stringify(ARCHS) },
    });
    const offGpu: Record<string, string[]> = {};
    const rows: string[] = [];
    for (const [key, r] of Object.entries(result)) {
      const [arch, mode] = key.split('/');
      expect(r.devices, key).toEqual(['webgpu', 'webgpu']);
      expect(r.finite, `${key}: finite outputs`).toBe(true);
      const ref = mode === 'train' && !/squeezenet/.test(arch) ? referenceLoss(arch, 'train') : referenceLoss(arch, 'frozen');
      const lossError = Math.abs(r.loss - ref) / Math.abs(ref);
      expect(lossError, `${key}: loss ${r.loss} vs PyTorch ${ref}`).toBeLessThanOrEqual(1e-3);
      const counts: string[] = [];
      for (const graph of ['training', 'optimizer']) {
        const placed = placements(section(logs, 'webgpu', `${key}/${graph}`));
        expect(placed.length, `no placement line for ${key} ${graph}`).toBeGreaterThan(0);
        const total = placed.reduce((n, p) => n + p.count, 0);
        const off = placed.filter((p) => p.provider !== 'WebGpuExecutionProvider');
        counts.push(`${graph} ${total - off.reduce((n, p) => n + p.count, 0)}/${total}`);
        const listed = off.flatMap((p) => (p.nodes.length ? p.nodes.map((n) => `${n} on ${p.provider}`) : [`${p.count} node(s) on ${p.provider}`]));
        const shapeMath = SHAPE_ARITHMETIC.has(arch) && off.every((p) => p.provider === 'CPUExecutionProvider' && p.nodes.length === p.count && p.nodes.every((n) => SHAPE_OPS.has(n.split(' ')[0])));
        if (off.length && !shapeMath) offGpu[`${key}/${graph}`] = listed;
      }
      rows.push(`| ${arch} | ${mode} | ${counts.join(', ')} | ${r.loss.toFixed(6)} | ${lossError.toExponential(1)} |`);
    }
    console.log(['| architecture | BatchNorm | nodes on WebGPU | loss | vs PyTorch |', '|---|---|---|---|---|', ...rows].join('\n'));
    expect(offGpu, 'nodes placed off WebGPU, by graph').toEqual({});
  });
});

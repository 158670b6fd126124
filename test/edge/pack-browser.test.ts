import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random, splitDataset } from '@onnxkit/node';
import { loadMnistDigits } from '../../packages/node/src/data/mnist-digits.js';
import { packModel, type PackTarget } from '../../packages/node/src/pack/index.js';
import { browserSkipReason, chromiumPath, CHROMIUM_ARGS } from '../browser/harness.js';
import { repoRoot } from '../support/paths.js';
import { serveFolder } from './support.js';

// Packs mnist-cnn for the browser and opens the folder's own index.html in Chromium, served from
// that folder alone: the page classifies real held-out digits with nothing else on the server.
let work: string;
let browser: Browser | undefined;
const digits: { pixels: number[]; label: number }[] = [];

beforeAll(async () => {
  if (browserSkipReason) return;
  work = await mkdtemp(path.join(tmpdir(), 'onnxkit-pack-browser-'));
  const { validation } = splitDataset(loadMnistDigits(), 1000, new Random(0));
  for (let i = 0; i < 10; i++) {
    const k = Math.floor((i * validation.count) / 10) + 3;
    digits.push({ pixels: Array.from(validation.images.subarray(k * 784, (k + 1) * 784), (v) => Math.round(v * 255)), label: validation.labels[k] });
  }
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...CHROMIUM_ARGS] });
});
afterAll(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function classifyInPage(target: PackTarget): Promise<{ device: string; labels: string[]; drawn: string; requested: string[]; pageErrors: string[] }> {
  const out = path.join(work, target);
  const report = await packModel(path.join(repoRoot, 'models/onnx/mnist-cnn.onnx'), { target, out });
  expect(report.files.map((f) => f.file)).toContain('onnxkit.mjs');
  const server = await serveFolder(out);
  const page = await browser!.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await page.goto(`${server.origin}/index.html`);
    await page.waitForFunction(() => (globalThis as { onnxkitClassifier?: unknown }).onnxkitClassifier !== undefined, undefined, { timeout: 90_000 });
    const result = await page.evaluate(async (items) => {
      type Clf = { device: string; classify(img: unknown): Promise<{ label: string }> };
      const clf = (globalThis as unknown as { onnxkitClassifier: Clf }).onnxkitClassifier;
      const labels: string[] = [];
      for (const d of items) labels.push((await clf.classify({ width: 28, height: 28, channels: 1, data: new Uint8Array(d.pixels) })).label);
      // Paint the first digit onto the drawing pad, scaled up, and press the page's own button.
      const pad = document.getElementById('pad') as HTMLCanvasElement;
      const small = new OffscreenCanvas(28, 28);
      const rgba = new Uint8ClampedArray(28 * 28 * 4);
      items[0].pixels.forEach((v, i) => rgba.set([v, v, v, 255], i * 4));
      small.getContext('2d')!.putImageData(new ImageData(rgba, 28, 28), 0, 0);
      pad.getContext('2d')!.drawImage(small, 0, 0, pad.width, pad.height);
      (document.getElementById('go') as HTMLButtonElement).click();
      const out = document.getElementById('out')!;
      for (let t = 0; t < 300 && !out.textContent!.includes('%'); t++) await new Promise((r) => setTimeout(r, 100));
      return { device: clf.device, labels, drawn: out.textContent ?? '' };
    }, digits);
    return { ...result, requested: [...server.requested], pageErrors };
  } finally {
    await page.close();
    await server.close();
  }
}

describe.skipIf(browserSkipReason !== undefined)('onnxkit pack for browsers, run in Chromium', () => {
  it('browser-wasm: the packed page classifies held-out digits on WASM, from its own folder only', async () => {
    const r = await classifyInPage('browser-wasm');
    expect(r.pageErrors).toEqual([]);
    expect(r.device).toBe('wasm');
    const correct = r.labels.filter((l, i) => l === String(digits[i].label)).length;
    expect(correct).toBeGreaterThanOrEqual(9);
    expect(r.drawn.startsWith(`${digits[0].label} `)).toBe(true);
    const pack = JSON.parse(await readFile(path.join(work, 'browser-wasm', 'pack.json'), 'utf8')) as { files: { file: string }[] };
    const shipped = new Set(pack.files.map((f) => `/${f.file}`));
    expect(r.requested.filter((u) => !shipped.has(u))).toEqual([]);
    expect(r.requested).toContain('/ort-wasm-simd-threaded.wasm');
  });

  it('browser-webgpu: the same page on the WebGPU build (SwiftShader here)', async () => {
    const r = await classifyInPage('browser-webgpu');
    expect(r.pageErrors).toEqual([]);
    // Chromium here has a SwiftShader WebGPU adapter (see docs/INSTALL.md), so the model really runs on WebGPU.
    expect(r.device).toBe('webgpu');
    const correct = r.labels.filter((l, i) => l === String(digits[i].label)).length;
    expect(correct).toBeGreaterThanOrEqual(9);
    expect(r.requested).toContain('/ort-wasm-simd-threaded.asyncify.wasm');
  });
});

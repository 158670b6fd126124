/**
 * The demo page (packages/web/demo), driven like a person: real MNIST digits and a new symbol drawn with
 * mouse events, buttons clicked. On WebGPU: digits are recognised, a new class is taught and fine-tuned
 * in the page with every node on WebGPU, the prediction changes, the model downloads and survives a
 * reload, and "back to the shipped model" forgets it. On WASM the same fine-tuning gives the same numbers.
 * Without WebGPU the page falls back to WASM and says why.
 *
 * `ONNXKIT_DEMO_SCREENSHOTS=1` runs one more test: the page with its default settings (more epochs and
 * replayed digits than the checks above can afford on SwiftShader), writing docs/demo-before.png and
 * docs/demo-after.png.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, decodeModel, getLabels } from '@onnxkit/node';
import {
  addClass,
  addExample,
  demoState,
  drawAndClassify,
  drawStrokes,
  drawStrokesByTouch,
  fineTune,
  inkStrokes,
  mnistDigit,
  openDemo,
  starStrokes,
  settledTop,
  waitReady,
  type DemoSession,
  type DemoState,
  type Stroke,
} from './demo-driver.js';
import { seeded } from '../support/random.js';
import { browserSkipReason, repoRoot } from './harness.js';
import { linesBetween, nodePlacements } from './ort-log.js';

/** Small on purpose: SwiftShader's WebGPU runs on the CPU, ~100x slower than a GPU. Momentum SGD, so two backends agree. */
const TRAINING = 'epochs=4&replay=1&check=1&batch=8&optimizer=momentum&lr=0.01&seed=1';
const STAR = '★';
const screenshots = process.env.ONNXKIT_DEMO_SCREENSHOTS === '1';

/** The five drawings of the new symbol taught in both runs, and one more it never sees. */
const teachStars = (() => {
  const random = seeded(11);
  return Array.from({ length: 5 }, () => starStrokes(random));
})();
const heldOutStar: Stroke[] = starStrokes(seeded(99));

/** Adds the star class and its five examples, then fine-tunes; returns the state after training. */
async function teachStar(session: DemoSession): Promise<DemoState> {
  await addClass(session.page, STAR);
  for (const stroke of teachStars) await addExample(session.page, stroke, STAR);
  return fineTune(session.page);
}

let webgpuRun: DemoState | undefined;

describe.skipIf(browserSkipReason !== undefined)('demo page on WebGPU', () => {
  let demo: DemoSession;
  let starBefore: DemoState['top'];
  let starAfter: DemoState['top'];

  beforeAll(async () => {
    demo = await openDemo(`?verbose=1&${TRAINING}`);
  }, 180_000);
  afterAll(async () => demo?.close());

  it('loads the shipped model on WebGPU, with browser storage', async () => {
    const s = await demoState(demo.page);
    expect(s).toMatchObject({ device: 'webgpu', deviceTitle: 'WebGPU', modelSource: 'shipped', storage: 'opfs', fallbacks: [] });
    expect(s.labels).toEqual([...'0123456789']);
    expect(await demo.page.locator('#device').textContent()).toBe('WebGPU');
  });

  it('classifies real MNIST digits drawn with the mouse along their ink', async () => {
    const got: string[] = [];
    for (let d = 0; d < 10; d++) {
      const top = await drawAndClassify(demo.page, inkStrokes(mnistDigit(d, 0)));
      expect(top).toHaveLength(3);
      got.push(top[0].label);
    }
    expect(got).toEqual([...'0123456789']);
    // Three bars, the best first, probabilities shown.
    expect(await demo.page.locator('#predictions .bar-row').count()).toBe(3);
    // Live: the prediction follows the pen while it draws, not once at the end.
    await demo.page.click('#clear');
    const before = (await demoState(demo.page)).predictions;
    await drawStrokes(demo.page, inkStrokes(mnistDigit(3, 1)));
    expect((await settledTop(demo.page))[0].label).toBe('3');
    expect((await demoState(demo.page)).predictions - before).toBeGreaterThan(3);
  }, 180_000);

  it('learns a new symbol: fine-tuned in the page with every node on WebGPU, loss down, prediction changed', async () => {
    starBefore = await drawAndClassify(demo.page, heldOutStar);
    expect(starBefore[0].label).not.toBe(STAR);
    await addClass(demo.page, STAR);
    for (const stroke of teachStars) await addExample(demo.page, stroke, STAR);
    const lines = demo.logs.length;
    const s = await fineTune(demo.page);
    webgpuRun = s;
    const t = s.training!;
    expect(t.device).toBe('webgpu');
    expect(t.parametersLocation).toBe('gpu-buffer');
    // 5 drawings + 10 replayed digits in batches of 8: 2 steps per epoch.
    expect(t.losses).toHaveLength(8);
    expect(t.after!.loss).toBeLessThan(t.before!.loss);
    expect(t.epochs[t.epochs.length - 1].loss).toBeLessThan(t.epochs[0].loss);
    expect(t.after!.accuracy).toBe(1);
    expect(s.examples.every((e) => e.predicted === 10)).toBe(true);
    // ORT's own placement log: training, eval and optimizer graphs ran every node on WebGPU.
    const text = demo.logs.slice(lines).map((l) => l.text);
    const placements = nodePlacements(linesBetween(text, '### onnxkit-demo: begin trainer', '### onnxkit-demo: end trainer'));
    expect(placements).toHaveLength(3);
    for (const p of placements) expect(Object.keys(p)).toEqual(['WebGpuExecutionProvider']);

    starAfter = await drawAndClassify(demo.page, heldOutStar);
    expect(starAfter[0].label).toBe(STAR);
    expect(s.modelSource).toBe('fine-tuned');
  }, 300_000);

  it('downloads the fine-tuned model, which runs in Node too', async () => {
    const [download] = await Promise.all([demo.page.waitForEvent('download'), demo.page.click('#download')]);
    expect(download.suggestedFilename()).toBe('mnist-cnn-finetuned.onnx');
    const bytes = new Uint8Array(readFileSync(await download.path()));
    expect(getLabels(decodeModel(bytes))).toEqual([...'0123456789', STAR]);
    const s = await demoState(demo.page);
    const images = Float32Array.from(s.exampleBytes.filter((_, i) => i % 785 !== 0), (v) => v / 255);
    const session = await createSession(bytes, { device: 'cpu' });
    const out = await session.run({ input: { data: images, dims: [5, 1, 28, 28] } });
    const p = out.probabilities.data as Float32Array;
    await session.release();
    expect(out.probabilities.dims).toEqual([5, 11]);
    for (let i = 0; i < 5; i++) expect(p[i * 11 + 10]).toBeGreaterThan(0.5);
  }, 60_000);

  it('restores the fine-tuned model from browser storage on reload', async () => {
    await demo.page.reload();
    const s = await waitReady(demo.page);
    expect(s.modelSource).toBe('storage');
    expect(s.labels).toEqual([...'0123456789', STAR]);
    expect(s.examples.map((e) => e.predicted)).toEqual([10, 10, 10, 10, 10]);
    const top = await drawAndClassify(demo.page, heldOutStar);
    expect(top[0].label).toBe(STAR);
    expect(Math.abs(top[0].probability - starAfter[0].probability)).toBeLessThan(1e-5);
  }, 180_000);

  it('goes back to the shipped model, also after a reload', async () => {
    await demo.page.click('#undo');
    await demo.page.waitForFunction(() => (globalThis as { __demo?: DemoState }).__demo?.modelSource === 'shipped' && !(globalThis as { __demo?: DemoState }).__demo?.busy);
    let s = await demoState(demo.page);
    expect(s.labels).toEqual([...'0123456789']);
    expect(s.examples).toEqual([]);
    await demo.page.reload();
    s = await waitReady(demo.page);
    expect(s.modelSource).toBe('shipped');
    const top = await drawAndClassify(demo.page, heldOutStar);
    expect(top[0].label).toBe(starBefore[0].label);
  }, 180_000);
});

describe.skipIf(browserSkipReason !== undefined)('demo page on WASM', () => {
  it('fine-tunes to the same numbers as on WebGPU (1e-3)', async (ctx) => {
    if (!webgpuRun) return ctx.skip();
    const demo = await openDemo(`?device=wasm&${TRAINING}`);
    try {
      const s = await teachStar(demo);
      const gpu = webgpuRun.training!;
      const cpu = s.training!;
      expect(cpu.device).toBe('wasm');
      expect(cpu.parametersLocation).toBe('cpu');
      // Same drawings, pixel for pixel, so the runs are comparable.
      expect(s.exampleBytes).toEqual(webgpuRun.exampleBytes);
      expect(cpu.losses).toHaveLength(gpu.losses.length);
      const diffs = cpu.losses.map((l, i) => Math.abs(l - gpu.losses[i]));
      console.log(`demo fine-tuning losses: webgpu ${gpu.losses.map((l) => l.toFixed(4)).join(' ')}; max diff vs wasm ${Math.max(...diffs).toExponential(1)}`);
      expect(Math.max(...diffs)).toBeLessThan(1e-3);
      expect(Math.abs(cpu.before!.loss - gpu.before!.loss)).toBeLessThan(1e-3);
      expect(Math.abs(cpu.after!.loss - gpu.after!.loss)).toBeLessThan(1e-3);
      expect(cpu.epochs.map((e) => e.accuracy)).toEqual(gpu.epochs.map((e) => e.accuracy));
    } finally {
      await demo.close();
    }
  }, 300_000);
});

describe.skipIf(browserSkipReason !== undefined)('demo page without WebGPU', () => {
  it('runs on WASM, says so and why, and classifies a digit drawn with a finger', async () => {
    const demo = await openDemo('', { webgpu: false, touch: true });
    try {
      const s = await demoState(demo.page);
      expect(s.device).toBe('wasm');
      expect(s.deviceTitle).toBe('WASM (no WebGPU)');
      expect(s.deviceDetail).toMatch(/WebGPU could not start.*Failed to get GPU adapter/);
      expect(await demo.page.locator('#device-detail').textContent()).toBe(s.deviceDetail);
      await drawStrokesByTouch(demo.page, inkStrokes(mnistDigit(7, 1)));
      expect((await settledTop(demo.page))[0].label).toBe('7');
    } finally {
      await demo.close();
    }
  }, 180_000);
});

describe.skipIf(browserSkipReason !== undefined || !screenshots)('demo page screenshots (ONNXKIT_DEMO_SCREENSHOTS=1)', () => {
  it('writes docs/demo-before.png and docs/demo-after.png with the default settings', async () => {
    const demo = await openDemo('');
    try {
      await addClass(demo.page, STAR);
      for (const stroke of teachStars) await addExample(demo.page, stroke, STAR);
      const before = await drawAndClassify(demo.page, heldOutStar);
      await demo.page.screenshot({ path: path.join(repoRoot, 'docs/demo-before.png') });
      const s = await fineTune(demo.page, 600_000);
      const after = await drawAndClassify(demo.page, heldOutStar);
      await demo.page.screenshot({ path: path.join(repoRoot, 'docs/demo-after.png') });
      const last = s.training!.epochs[s.training!.epochs.length - 1];
      console.log(`screenshots: ${before[0].label} -> ${after[0].label} (${after[0].probability.toFixed(3)}); last epoch ${JSON.stringify(last)}`);
      expect(after[0].label).toBe(STAR);
    } finally {
      await demo.close();
    }
  }, 700_000);
});

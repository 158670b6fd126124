import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { browserSkipReason, withBrowserPage } from './browser/harness.js';
import { repoRoot } from './support/paths.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const codeBlocks = [...readme.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));
const example = (name: string) => readFileSync(path.join(repoRoot, 'examples', name), 'utf8');

describe('README', () => {
  it('shows the examples exactly as they are in examples/', () => {
    const ts = codeBlocks.filter((b) => b.lang === 'ts').map((b) => b.code);
    const js = codeBlocks.filter((b) => b.lang === 'js').map((b) => b.code);
    expect(js).toContain(example('node-app/classify.mjs'));
    expect(ts).toContain(example('vite-app/src/main.ts'));
  });

  it('gives the fresh-machine commands, and CI runs the README test command', () => {
    const sh = codeBlocks.filter((b) => b.lang === 'sh').map((b) => b.code.trim());
    const main = 'npx -y pnpm@10.34.9 install && npx -y pnpm@10.34.9 main';
    const test = 'npx -y pnpm@10.34.9 install && npx -y pnpm@10.34.9 test';
    const addToApp = readFileSync(path.join(repoRoot, 'docs/INSTALL.md'), 'utf8').match(/## In an app[\s\S]*?```sh\n([\s\S]*?)```/)![1].trim();
    expect(addToApp.split('\n')).toHaveLength(2);
    expect(addToApp).toContain('ONNXRUNTIME_NODE_INSTALL=skip npm install @onnxkit/node');
    expect(sh).toEqual([addToApp, main, test]);
    const ci = readFileSync(path.join(repoRoot, '.ci/run'), 'utf8');
    expect(ci).toContain(test.replace('install', 'install --frozen-lockfile'));
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.scripts.main).toBeDefined();
    expect(pkg.scripts.test).toBeDefined();
  });

  it('the Node example classifies the ten digits with mnist-8 and says which device ran', async () => {
    const { stdout } = await promisify(execFile)(
      path.join(repoRoot, 'node_modules/.bin/tsx'),
      ['examples/node-quickstart.ts'],
      { cwd: repoRoot, timeout: 120_000 },
    );
    expect(stdout).toMatch(/^running on cpu/m);
    const predictions = [...stdout.matchAll(/digit (\d) → predicted (\d)/g)];
    expect(predictions).toHaveLength(10);
    const correct = predictions.filter((m) => m[1] === m[2]).length;
    expect(correct).toBeGreaterThanOrEqual(9);
  });

  it.skipIf(browserSkipReason !== undefined)('the browser example runs mnist-8 on WebGPU in Chromium', async () => {
    const lines = await withBrowserPage(path.join(repoRoot, 'examples/browser-quickstart.ts'), async (page, logs) => {
      await page.waitForFunction(() => true);
      const deadline = Date.now() + 110_000;
      while (!logs.some((l) => /predicted digit|pageerror/.test(l.text + l.type)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      return logs.map((l) => `${l.type}: ${l.text}`);
    });
    expect(lines).toContain('log: running on webgpu');
    expect(lines).toContain('log: predicted digit: 1');
  });
});

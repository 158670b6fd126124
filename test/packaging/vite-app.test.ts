// examples/vite-app as a user has it: installed with plain npm from freshly packed tarballs, built with
// `vite build`, dist/ served on 127.0.0.1 and run in Debian's Chromium on WebGPU (SwiftShader) and WASM.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, CHROMIUM_ARGS, chromiumPath } from '../../packages/testkit/src/browser-harness.js';
import { packTarballs } from '../../packages/testkit/src/pack-tarballs.js';
import { repoRoot } from '../support/paths.js';

const run = promisify(execFile);
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream' };
let work: string;
let dist: string;
let server: Server;
let origin: string;

describe.skipIf(browserSkipReason !== undefined)('examples/vite-app built from packed tarballs', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'onnxkit-vite-app-'));
    const tarballs = packTarballs(['core', 'models', 'web'], path.join(work, 'tarballs'));
    const app = path.join(work, 'vite-app');
    cpSync(path.join(repoRoot, 'examples/vite-app'), app, { recursive: true, filter: (f) => !/node_modules|dist/.test(path.relative(repoRoot, f)) });
    const env = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' };
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarballs.core, tarballs.models, tarballs.web, 'vite@8.3.8'], { cwd: app, env, timeout: 240_000 });
    await run(path.join(app, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: app, env, timeout: 120_000 });
    dist = path.join(app, 'dist');
    server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const rel = path.normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)).replace(/^[/\\]+/, '');
      const file = path.join(dist, rel);
      if (!file.startsWith(dist + path.sep)) return void res.writeHead(403).end();
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 400_000);
  afterAll(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('vite build emits the model file and ORT’s .wasm into dist/assets', () => {
    const assets = readdirSync(path.join(dist, 'assets'));
    expect(assets.some((f) => /^mnist-cnn-.*\.onnx$/.test(f))).toBe(true);
    expect(assets.some((f) => f.endsWith('.wasm'))).toBe(true);
  });

  it.each(['webgpu', 'wasm'])('runs mnist-cnn on %s in Chromium and predicts the drawn 1', async (device) => {
    const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...CHROMIUM_ARGS] });
    try {
      const page = await browser.newPage();
      const logs: string[] = [];
      page.on('console', (m) => logs.push(m.text()));
      page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
      await page.goto(`${origin}/?device=${device}`);
      const deadline = Date.now() + 100_000;
      while (!logs.some((l) => /predicted digit|pageerror/.test(l)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(logs).toContain(`running on ${device}`);
      expect(logs).toContain('predicted digit: 1');
    } finally {
      await browser.close();
    }
  });
});

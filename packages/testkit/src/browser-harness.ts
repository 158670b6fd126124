/**
 * Browser test harness: bundles a page entry script with esbuild, serves it with the repo, onnxruntime-web's
 * dist folder and the shared fixtures from 127.0.0.1, and drives Debian's Chromium through playwright-core.
 *
 * Server layout (same origin, cross-origin isolated so WASM threads work):
 *   /__harness/page.html   the page; loads /__harness/entry.js as a module
 *   /ort/…                 onnxruntime-web/dist (the import map points `onnxruntime-web*` here)
 *   /fixtures/…            ../shared/fixtures
 *   /…                     the repo root
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The shared fixtures folder (never copied into the repo). */
export const fixturesDir = path.resolve(repoRoot, '../shared/fixtures');
/** onnxruntime-web's dist folder, served at `/ort/`. */
export const ortWebDist = path.join(
  realpathSync(path.join(repoRoot, 'packages/web/node_modules/onnxruntime-web')),
  'dist',
);
/** The Chromium binary. @defaultValue `$ONNXKIT_CHROMIUM` or `/usr/bin/chromium` */
export const chromiumPath = process.env.ONNXKIT_CHROMIUM ?? '/usr/bin/chromium';
/** Why browser tests must skip, or undefined when Chromium is present. */
export const browserSkipReason: string | undefined = existsSync(chromiumPath)
  ? undefined
  : `browser tests skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set ONNXKIT_CHROMIUM)`;

/** Flags that give headless Chromium a real (SwiftShader) WebGPU adapter and keep it off the network. */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
]);

/** One console message (or uncaught page error, type `'pageerror'`). */
export interface ConsoleEntry {
  readonly type: string;
  readonly text: string;
}

/** Options of {@link withBrowserPage} and {@link runInBrowser}. */
export interface BrowserPageOptions {
  /** Extra Chromium flags. @defaultValue none */
  args?: readonly string[];
  /** Default flags to leave out, e.g. `['--enable-unsafe-webgpu']` for a browser without WebGPU. @defaultValue none */
  withoutArgs?: readonly string[];
  /** esbuild `define` replacements for the entry bundle. @defaultValue none */
  define?: Record<string, string>;
  /** Echo page console lines to the test's stdout as they arrive. @defaultValue `$ONNXKIT_BROWSER_LOGS === '1'` */
  echo?: boolean;
}

/** What {@link withBrowserPage} hands the callback besides the page and logs. */
export interface HarnessContext {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
}

/**
 * Bundles `entryFile` (`@onnxkit/*` resolved to package sources, onnxruntime-web left to the import map),
 * serves it, opens it in Chromium and calls `fn` with the page and the console log collected so far (the
 * array keeps growing). Everything is torn down afterwards, also on failure.
 */
export async function withBrowserPage<T>(
  entryFile: string,
  fn: (page: Page, logs: ConsoleEntry[], ctx: HarnessContext) => Promise<T>,
  options: BrowserPageOptions = {},
): Promise<T> {
  if (browserSkipReason) throw new Error(browserSkipReason);
  const bundle = await bundleEntry(entryFile, options.define);
  const server = await startServer(bundle);
  let browser: Browser | undefined;
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...CHROMIUM_ARGS.filter((a) => !options.withoutArgs?.includes(a)), ...(options.args ?? [])],
    });
    const page = await browser.newPage();
    const logs: ConsoleEntry[] = [];
    const echo = options.echo ?? process.env.ONNXKIT_BROWSER_LOGS === '1';
    const add = (type: string, text: string) => {
      logs.push({ type, text });
      if (echo) console.log(`[browser ${type}] ${text}`);
    };
    page.on('console', (m) => add(m.type(), m.text()));
    page.on('pageerror', (e) => add('pageerror', e.stack ?? e.message));
    await page.goto(`${origin}/__harness/page.html`);
    return await fn(page, logs, { origin });
  } finally {
    await browser?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Runs an entry that reports through `page-api.ts` (`report(async () => result)`) and returns its result
 * and the console log. Throws with the page's error (and the log tail) when the entry fails or times out.
 */
export async function runInBrowser<T>(
  entryFile: string,
  options: BrowserPageOptions & { timeoutMs?: number } = {},
): Promise<{ result: T; logs: ConsoleEntry[] }> {
  return withBrowserPage(
    entryFile,
    async (page, logs) => ({ result: await waitForReport<T>(page, logs, options.timeoutMs), logs }),
    options,
  );
}

/**
 * Waits for the entry's `report()` result on the page as it is now (e.g. again after `page.reload()`,
 * which runs the entry anew) and returns it. Throws with the page's error and the log tail.
 * @param timeoutMs - @defaultValue 110,000
 */
export async function waitForReport<T>(page: Page, logs: readonly ConsoleEntry[], timeoutMs = 110_000): Promise<T> {
  type State = { done: boolean; result?: unknown; error?: string };
  let state: State;
  try {
    const handle = await page.waitForFunction(
      () => (globalThis as { __harness?: State }).__harness?.done === true || undefined,
      undefined,
      { timeout: timeoutMs, polling: 100 },
    );
    await handle.dispose();
    state = await page.evaluate(() => (globalThis as unknown as { __harness: State }).__harness);
  } catch (e) {
    throw new Error(`browser entry did not finish: ${(e as Error).message}\n${tail(logs)}`);
  }
  if (state.error !== undefined) throw new Error(`browser entry failed: ${state.error}\n${tail(logs)}`);
  return state.result as T;
}

function tail(logs: readonly ConsoleEntry[]): string {
  return `--- last console lines ---\n${logs
    .slice(-30)
    .map((l) => `[${l.type}] ${l.text}`)
    .join('\n')}`;
}

interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: { text: string }[] }>;
}

/** esbuild from the workspace; pnpm does not hoist it, so fall back to the copy tsup depends on. */
async function loadEsbuild(): Promise<EsbuildLike> {
  try {
    return (await import('esbuild')) as unknown as EsbuildLike;
  } catch {
    const tsup = realpathSync(path.join(repoRoot, 'node_modules/tsup'));
    return createRequire(path.join(tsup, 'package.json'))('esbuild') as EsbuildLike;
  }
}

const PACKAGE_SOURCES: Readonly<Record<string, string>> = {
  '@onnxkit/core': path.join(repoRoot, 'packages/core/src/index.ts'),
  '@onnxkit/web': path.join(repoRoot, 'packages/web/src/index.ts'),
  '@onnxkit/web/wasm': path.join(repoRoot, 'packages/web/src/wasm.ts'),
};

async function bundleEntry(entryFile: string, define: Record<string, string> = {}): Promise<string> {
  const esbuild = await loadEsbuild();
  const result = await esbuild.build({
    entryPoints: [path.resolve(entryFile)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    logLevel: 'silent',
    define,
    // onnxruntime-web stays a separate module (import map → /ort/): its pthread workers and .wasm are
    // located from its own import.meta.url, which must not be our bundle.
    external: ['onnxruntime-web', 'onnxruntime-web/*'],
    plugins: [
      {
        name: 'onnxkit-sources',
        setup(build: { onResolve: (o: { filter: RegExp }, cb: (a: { path: string }) => { path: string }) => void }) {
          build.onResolve({ filter: /^@onnxkit\/(core|web|web\/wasm)$/ }, (args) => ({ path: PACKAGE_SOURCES[args.path] }));
        },
      },
    ],
  });
  const out = result.outputFiles?.[0];
  if (!out) throw new Error(`esbuild produced no output for ${entryFile}`);
  return out.text;
}

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>onnxkit browser test</title><link rel="icon" href="data:,">
<script type="importmap">{"imports":{
  "onnxruntime-web": "/ort/ort.bundle.min.mjs",
  "onnxruntime-web/webgpu": "/ort/ort.webgpu.bundle.min.mjs",
  "onnxruntime-web/wasm": "/ort/ort.wasm.bundle.min.mjs",
  "onnxruntime-web/all": "/ort/ort.all.bundle.min.mjs"
}}</script>
<script type="module" src="/__harness/entry.js"></script>
</head><body></body></html>`;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** Serves the page, the bundle and three folders; refuses paths that escape their folder. */
async function startServer(bundle: string): Promise<Server> {
  const mounts: [string, string][] = [
    ['/ort/', ortWebDist],
    ['/fixtures/', fixturesDir],
    ['/', repoRoot],
  ];
  const server = createServer(async (req, res) => {
    // Cross-origin isolation lets onnxruntime-web use SharedArrayBuffer (WASM threads).
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (url === '/__harness/page.html') return send(res, 200, TYPES['.html'], PAGE_HTML);
    if (url === '/__harness/entry.js') return send(res, 200, TYPES['.js'], bundle);
    const [prefix, dir] = mounts.find(([p]) => url.startsWith(p))!;
    const file = path.resolve(dir, url.slice(prefix.length));
    if (file !== dir && !file.startsWith(dir + path.sep)) return send(res, 403, 'text/plain', 'forbidden');
    try {
      if (!(await stat(file)).isFile()) return send(res, 404, 'text/plain', 'not found');
      const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      send(res, 200, type, await readFile(file));
    } catch {
      send(res, 404, 'text/plain', 'not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function send(res: import('node:http').ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  // A Content-Length lets pages report download progress against the total.
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

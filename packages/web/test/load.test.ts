import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchModel } from '../src/load/fetch-model.js';
import type { LoadProgress } from '../src/load/progress.js';
import { readModelFile } from '../src/load/read-model-file.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const modelPath = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');
let model: Uint8Array;
let origin = '';
const server = createServer(async (req, res) => {
  if (req.url === '/model.onnx') {
    // Sent in several writes, so the client sees several chunks.
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(model.length) });
    for (let i = 0; i < model.length; i += 65536) {
      res.write(model.subarray(i, i + 65536));
      await new Promise((r) => setTimeout(r, 2));
    }
    res.end();
  } else if (req.url === '/chunked.onnx') {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    res.end(model);
  } else {
    res.writeHead(404).end('not found');
  }
});

/** Byte equality without vitest's element-by-element deep compare (slow on 375 KB). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

beforeAll(async () => {
  model = new Uint8Array(await readFile(modelPath));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('fetchModel with progress', () => {
  it('reports bytes loaded out of Content-Length, ending at the full size', async () => {
    const events: LoadProgress[] = [];
    const bytes = await fetchModel(`${origin}/model.onnx`, { onProgress: (p) => events.push(p) });
    expect(same(bytes, model)).toBe(true);
    expect(events.length).toBeGreaterThan(2);
    for (let i = 1; i < events.length; i++) expect(events[i].loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
    expect(events.every((e) => e.total === model.length)).toBe(true);
    expect(events[events.length - 1]).toEqual({ loaded: model.length, total: model.length });
  });

  it('reports an unknown total as undefined until the end', async () => {
    const events: LoadProgress[] = [];
    const bytes = await fetchModel(`${origin}/chunked.onnx`, { onProgress: (p) => events.push(p) });
    expect(same(bytes, model)).toBe(true);
    expect(events.slice(0, -1).every((e) => e.total === undefined)).toBe(true);
    expect(events[events.length - 1]).toEqual({ loaded: model.length, total: model.length });
  });

  it('names the URL and status on HTTP errors, and checks its arguments', async () => {
    await expect(fetchModel(`${origin}/missing.onnx`)).rejects.toThrow(/could not fetch model .*missing\.onnx: HTTP 404/);
    await expect(fetchModel(42 as never)).rejects.toThrow(TypeError);
    await expect(fetchModel(`${origin}/model.onnx`, { onProgress: 'x' as never })).rejects.toThrow(/onProgress must be a function/);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const done = fetchModel(`${origin}/model.onnx`, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(done).rejects.toThrow();
  });
});

describe('readModelFile', () => {
  it('reads a File with progress', async () => {
    const events: LoadProgress[] = [];
    const file = new File([model as Uint8Array<ArrayBuffer>], 'mnist-cnn.onnx');
    const bytes = await readModelFile(file, { onProgress: (p) => events.push(p) });
    expect(same(bytes, model)).toBe(true);
    expect(events[events.length - 1]).toEqual({ loaded: model.length, total: model.length });
  });

  it('refuses what is not a Blob, and empty files', async () => {
    await expect(readModelFile(model as never)).rejects.toThrow(/file must be a File or Blob/);
    await expect(readModelFile(new File([], 'empty.onnx'))).rejects.toThrow(/'empty.onnx' is empty/);
  });
});

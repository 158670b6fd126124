import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnistDigits, Random, splitDataset, type RawImage } from '@onnxkit/node';
import type { ClassifyReport } from '../../src/cli/commands/classify.js';
import { encodeImage } from '@onnxkit/node';
import { cli, expectOneLineError, mnist8, repoRoot } from './harness.js';

const mnistCnn = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');
let dir: string;
let digitsDir: string;
const labels: number[] = [];

/** Held-out digit k as black ink on white paper, 4x size. */
function paper(images: Float32Array, k: number): RawImage {
  const data = new Uint8Array(112 * 112);
  for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) data[y * 112 + x] = 255 - Math.round(255 * images[k * 784 + (y >> 2) * 28 + (x >> 2)]);
  return { width: 112, height: 112, channels: 1, data };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-classify-cli-'));
  digitsDir = path.join(dir, 'digits');
  await mkdir(digitsDir);
  const held = splitDataset(loadMnistDigits(), 1000, new Random(0)).validation;
  for (let k = 0; k < 6; k++) {
    labels.push(held.labels[k]);
    const format = k % 2 ? 'jpeg' : 'png';
    await writeFile(path.join(digitsDir, `${k}-${held.labels[k]}.${format === 'jpeg' ? 'jpg' : 'png'}`), await encodeImage(paper(held.images, k), format));
  }
  await writeFile(path.join(dir, 'notes.png'), 'not an image');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('onnxkit classify', () => {
  it('classifies a folder of PNG and JPEG digits with the spec the model carries', async () => {
    const r = await cli(['classify', mnistCnn, digitsDir, '--device', 'cpu']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('device: cpu');
    expect(lines).toHaveLength(7);
    lines.slice(1).forEach((line, k) => {
      expect(line).toMatch(new RegExp(`^${path.join(digitsDir, String(k)).replace(/[/\\]/g, '.')}-\\d\\.(png|jpg)\\s+\\d \\d+\\.\\d%$`));
    });
    const predicted = lines.slice(1).map((l) => Number(/\s(\d) [\d.]+%$/.exec(l)?.[1]));
    expect(predicted.filter((p, k) => p === labels[k]).length).toBeGreaterThanOrEqual(5);
  });

  it('prints a JSON report with the top k classes', async () => {
    const files = [path.join(digitsDir, `0-${labels[0]}.png`), path.join(digitsDir, `1-${labels[1]}.jpg`)];
    const r = await cli(['classify', mnistCnn, ...files, '--top', '3', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ClassifyReport;
    expect(report).toMatchObject({ model: mnistCnn, classified: 2, failed: 0, labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    expect(report.preprocessing).toMatchObject({ procedure: 'mnist' });
    for (const [i, res] of report.results.entries()) {
      expect(res.file).toBe(files[i]);
      if (!res.ok) throw new Error(res.error);
      expect(res.top).toHaveLength(3);
      expect(res.top[0]).toEqual({ label: res.label, index: res.index, probability: res.probability });
      expect(res.top[0].probability).toBeGreaterThanOrEqual(res.top[1].probability);
    }
  });

  it('reports each bad file on its own line, still classifies the rest, and exits 1', async () => {
    const missing = path.join(dir, 'missing.png');
    const good = path.join(digitsDir, `0-${labels[0]}.png`);
    const r = await cli(['classify', mnistCnn, good, path.join(dir, 'notes.png'), missing, '--json']);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toBe('onnxkit: error: 2 of 3 images could not be classified (see above)');
    const report = JSON.parse(r.stdout) as ClassifyReport;
    expect(report.results.map((x) => (x.ok ? x.label : x.code))).toEqual([String(labels[0]), 'not-an-image', 'unreadable']);
    const text = await cli(['classify', mnistCnn, good, missing]);
    expect(text.stdout.split('\n')).toContain(`${missing.padEnd(good.length)}  error: cannot read the file: no such file`);
    expect(report.results[2]).toEqual({ file: missing, ok: false, code: 'unreadable', error: 'cannot read the file: no such file' });
  });

  it('refuses a model without a preprocessing spec, saying how to give one', async () => {
    const r = await cli(['classify', mnist8, digitsDir]);
    const line = expectOneLineError(r);
    expect(line).toContain(`onnxkit: error: ${mnist8} has no preprocessing spec (metadata 'onnxkit.preprocessing')`);
    expect(line).toContain('pass --preprocess mnist');
    const given = await cli(['classify', mnist8, digitsDir, '--preprocess', 'mnist', '--json']);
    expect(given.code).toBe(0);
    const report = JSON.parse(given.stdout) as ClassifyReport;
    expect(report.results.filter((x, k) => x.ok && x.index === labels[k]).length).toBeGreaterThanOrEqual(5);
    const json = await cli(['classify', mnist8, digitsDir, '--preprocess', '{"procedure":"mnist","scale":[0,255]}', '--json']);
    expect((JSON.parse(json.stdout) as ClassifyReport).preprocessing.scale).toEqual([0, 255]);
  });

  it('checks its arguments', async () => {
    expect(expectOneLineError(await cli(['classify', mnistCnn, path.join(dir, 'empty-dir-none')]))).toMatch(/images could not be classified/);
    await mkdir(path.join(dir, 'empty'), { recursive: true });
    expect(expectOneLineError(await cli(['classify', mnistCnn, path.join(dir, 'empty')]))).toBe(`onnxkit: error: no images found in ${path.join(dir, 'empty')}`);
    expect(expectOneLineError(await cli(['classify', mnistCnn, digitsDir, '--top', '0']))).toContain('--top 0: expected a positive integer');
    expect(expectOneLineError(await cli(['classify', mnistCnn, digitsDir, '--device', 'wasm']))).toContain('--device wasm');
    expect(expectOneLineError(await cli(['classify', mnistCnn, digitsDir, '--preprocess', '{bad']))).toContain('--preprocess: not valid JSON');
    expect(expectOneLineError(await cli(['classify', mnistCnn, digitsDir, '--labels', 'a,b']))).toContain("2 labels, but output 'probabilities' has 10 classes");
    expect(expectOneLineError(await cli(['classify', mnistCnn]))).toContain("missing required argument 'images'");
  });
});

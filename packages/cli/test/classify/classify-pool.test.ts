// Decoding in worker threads (createImagePool), Classifier.classify on async iterables, and
// `onnxkit classify --jsonl/--output` streaming with resume, on real digit photos.
import { appendFile, link, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Classifier, createImagePool, type ClassifyResult, type NodeImagePool } from '@onnxkit/node';
import { writeDigitPhotos, type DigitPhoto } from '../../../testkit/src/digit-photos.js';
import type { ClassifyReport } from '../../src/cli/commands/classify.js';
import { cli, repoRoot } from '../cli/harness.js';

const model = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');
let dir: string;
let photosDir: string;
let photos: DigitPhoto[];
let pool: NodeImagePool;
/** Results of the plain (main-thread, array) path, the reference for the pooled ones. */
let reference: ClassifyResult[];

async function* paths(files: readonly string[]): AsyncGenerator<string> {
  for (const f of files) yield f;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-pool-'));
  photosDir = path.join(dir, 'photos');
  photos = await writeDigitPhotos(photosDir, 40);
  await writeFile(path.join(photosDir, 'zz-broken.png'), 'not an image');
  pool = createImagePool({ workers: 2 });
  const clf = await Classifier.load(model, { device: 'cpu' });
  reference = await clf.classify(photos.map((p) => p.file));
  await clf.dispose();
});
afterAll(async () => {
  await pool?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Classifier.classify on an async iterable, decoded in a worker pool', () => {
  it('gives the same results as the main thread, in input order, with small batches', async () => {
    const clf = await Classifier.load(model, { device: 'cpu', pool, batchSize: 7 });
    const files = [...photos.map((p) => p.file), path.join(photosDir, 'zz-broken.png')];
    const got: ClassifyResult[] = [];
    for await (const r of clf.classify(paths(files), { concurrency: 3, topK: 2 })) got.push(r);
    await clf.dispose();
    expect(got.map((r) => r.source)).toEqual(files);
    got.slice(0, photos.length).forEach((r, i) => {
      const ref = reference[i];
      if (!r.ok || !ref.ok) throw new Error(`${r.source} failed`);
      expect(r.label).toBe(ref.label);
      expect(r.probability).toBeCloseTo(ref.probability, 6);
      expect(r.top).toHaveLength(2);
    });
    const right = got.filter((r, i) => r.ok && i < photos.length && r.label === String(photos[i].label)).length;
    expect(right).toBeGreaterThanOrEqual(photos.length - 1);
    const broken = got[photos.length];
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error.code).toBe('not-an-image');
  });

  it('stops cleanly when the caller breaks early, and arrays use the pool too', async () => {
    const clf = await Classifier.load(model, { device: 'cpu', pool, batchSize: 4 });
    let n = 0;
    for await (const r of clf.classify(paths(photos.map((p) => p.file)))) {
      expect(r.ok).toBe(true);
      if (++n === 5) break;
    }
    const some = await clf.classify(photos.slice(0, 3).map((p) => p.file));
    expect(some.map((r) => r.ok && r.label)).toEqual(reference.slice(0, 3).map((r) => r.ok && r.label));
    await clf.dispose();
  });

  it('ready() resolves once the workers are up (the same promise each time) and rejects on a closed pool', async () => {
    const own = createImagePool({ workers: 2 });
    const first = own.ready();
    expect(own.ready()).toBe(first);
    await expect(first).resolves.toBeUndefined();
    const clf = await Classifier.load(model, { device: 'cpu' });
    const row = await own.preprocess(photos[0].file, clf.preprocessing!, { maxPixels: 1e7 });
    expect(row).toEqual(await clf.preprocess(photos[0].file));
    await clf.dispose();
    await own.close();
    await expect(own.ready()).rejects.toThrow(/the pool is closed/);
  });

  it('warmUp(spec) runs sample photos through every worker, once per spec, and the rows stay exact', async () => {
    const own = createImagePool({ workers: 2 });
    const clf = await Classifier.load(model, { device: 'cpu' });
    const spec = clf.preprocessing!;
    const warm = own.warmUp(spec);
    expect(own.warmUp({ ...spec })).toBe(warm);
    await expect(warm).resolves.toBeUndefined();
    const rows = await Promise.all(photos.slice(0, 4).map((p) => own.preprocess(p.file, spec, { maxPixels: 1e7 })));
    for (const [i, row] of rows.entries()) expect(row).toEqual(await clf.preprocess(photos[i].file));
    await expect(own.warmUp({ ...spec, channels: 2 } as never)).rejects.toThrow(/createImagePool: warmUp spec: 'channels' must be 1 or 3/);
    await expect(own.warmUp(null as never)).rejects.toThrow(TypeError);
    await clf.dispose();
    await own.close();
    await expect(own.warmUp(spec)).rejects.toThrow(/the pool is closed/);
  });

  it('names bad pool options', async () => {
    await expect(Classifier.load(model, { pool: {} as never })).rejects.toThrow(/Classifier.load: 'pool' must be an ImagePool/);
    expect(() => createImagePool({ workers: 0 })).toThrow(RangeError);
    expect(() => createImagePool({ workers: '2' as never })).toThrow(/'workers' must be a number/);
  });
});

describe('onnxkit classify --jsonl / --output', () => {
  it('streams one JSON line per file to stdout, errors included', async () => {
    const r = await cli(['classify', model, photosDir, '--jsonl', '--workers', '2', '--device', 'cpu']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; ok: boolean; label?: string; code?: string });
    expect(lines).toHaveLength(photos.length + 1);
    expect(lines.slice(0, photos.length).map((l) => l.label)).toEqual(reference.map((x) => x.ok && x.label));
    expect(lines[photos.length]).toMatchObject({ file: path.join(photosDir, 'zz-broken.png'), ok: false, code: 'not-an-image' });
    expect(r.stderr).toMatch(/40 classified, 1 failed; [\d.]+ images\/s on 2 decoding threads/);
    expect(r.stderr).toMatch(/classified 41\/41 \([\d.]+ images\/s/);
  });

  it('resumes an output file: skips files already there, drops a line cut short by a crash', async () => {
    const out = path.join(dir, 'out.jsonl');
    const first = await cli(['classify', model, ...photos.slice(0, 25).map((p) => p.file), '-o', out, '--workers', '1', '--no-progress']);
    expect(first.code).toBe(0);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(25);
    await appendFile(out, '{"file":"half a li');
    const second = await cli(['classify', model, photosDir, '-o', out, '--workers', '2', '--no-progress']);
    expect(second.code).toBe(1); // the broken file
    expect(second.stderr).toMatch(/15 classified, 1 failed, 25 already in/);
    const lines = (await readFile(out, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    const files = lines.map((l) => (JSON.parse(l) as { file: string }).file);
    expect(files).toHaveLength(41);
    expect(new Set(files).size).toBe(41);
    const third = await cli(['classify', model, photosDir, '-o', out, '--workers', '1', '--no-progress']);
    expect(third.stderr).toMatch(/0 classified, 0 failed, 41 already in/);
    expect(third.code).toBe(0);
  });

  it('the text and --json modes go through the same pool (workers warmed up from 50 images each) with the same results', async () => {
    // 80 names (every photo twice, hard-linked): enough for the warm-up with 1 worker.
    const twice = path.join(dir, 'twice');
    await mkdir(twice);
    for (const p of photos) {
      await link(p.file, path.join(twice, `a-${path.basename(p.file)}`));
      await link(p.file, path.join(twice, `b-${path.basename(p.file)}`));
    }
    const expected = [...reference, ...reference].map((x) => x.ok && x.label);
    const json = await cli(['classify', model, twice, '--json', '--workers', '1', '--device', 'cpu']);
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    const report = JSON.parse(json.stdout) as ClassifyReport;
    expect(report).toMatchObject({ model, device: 'cpu', classified: 80, failed: 0 });
    expect(report.results.map((r) => path.basename(r.file))).toEqual([...photos.map((p) => `a-${path.basename(p.file)}`), ...photos.map((p) => `b-${path.basename(p.file)}`)]);
    expect(report.results.map((r) => r.ok && r.label)).toEqual(expected);
    const text = await cli(['classify', model, photosDir, '--workers', '2', '--device', 'cpu']);
    expect(text.code).toBe(1); // the broken file
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toBe('device: cpu');
    expect(lines).toHaveLength(photos.length + 2);
    const width = path.join(photosDir, 'zz-broken.png').length;
    lines.slice(1, -1).forEach((line, i) => {
      const ref = reference[i];
      if (!ref.ok) throw new Error(`${ref.source} failed`);
      // The name padded to the longest, two spaces, the label and its probability.
      expect(line.slice(0, width + 2)).toBe(`${photos[i].file.padEnd(width)}  `);
      const [label, percent] = line.slice(width + 2).split(' ');
      expect(label).toBe(ref.label);
      expect(Number(percent.replace('%', ''))).toBeCloseTo(ref.probability * 100, 1);
    });
    expect(lines.at(-1)).toMatch(/zz-broken\.png  error: not an image/);
  });

  it('refuses to append to a file that is not a results file', async () => {
    const out = path.join(dir, 'notes.jsonl');
    await writeFile(out, 'dear diary\n');
    const r = await cli(['classify', model, photosDir, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--output .*notes.jsonl: line 1 is not JSON/);
    expect(await readFile(out, 'utf8')).toBe('dear diary\n');
  });
});

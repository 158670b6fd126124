import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '@onnxkit/core';
import type { TrainReport } from '../../src/cli/training/train-report.js';
import { cli, expectOneLineError } from './harness.js';
import { initializersOf, mnistCnn, someDigits, startCli, writeIdxFolder, writeImageFolder } from './training-data.js';

// Real short runs of `onnxkit train` on 200 npm digits written as an IDX folder (and 50 as PNGs).
let dir: string;
let digits: string;
let pngDigits: string;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-train-'));
  digits = await writeIdxFolder(file('digits'), someDigits(20));
  pngDigits = await writeImageFolder(file('png-digits'), someDigits(5, 1), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An SVG document that librsvg (through sharp) parses: well-formed, with a size. */
async function expectSvg(svgFile: string, ...texts: string[]): Promise<void> {
  const svg = await readFile(svgFile, 'utf8');
  expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>$/);
  const meta = await sharp(Buffer.from(svg)).metadata();
  expect(meta.format).toBe('svg');
  expect(meta.width).toBeGreaterThan(100);
  for (const t of texts) expect(svg).toContain(t);
}

const sum = (rows: number[][]) => rows.flat().reduce((a, b) => a + b, 0);

describe('onnxkit train', () => {
  it('trains the seed CNN on an IDX folder: JSON report, the model with its card, curves and confusion matrix as SVG', async () => {
    const out = file('seed/digits.onnx');
    const r = await cli(['train', '--arch', 'seed-cnn', '--data', digits, '--epochs', '2', '--batch-size', '16', '--lr', '0.002', '--validation', '40', '--seed', '3', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as TrainReport;
    expect(report).toMatchObject({ command: 'train', model: 'arch:seed-cnn', device: 'cpu', stopReason: 'completed', out });
    expect(report.data).toMatchObject({ kind: 'idx', split: 'train', examples: 200, training: 160, validation: 40, classes: 10 });
    expect(report.trainable.elements).toBe(93_322);
    expect(report.steps).toBe(2 * Math.ceil(160 / 16));
    expect(report.history).toHaveLength(2);
    expect(report.history[1].loss).toBeLessThan(report.history[0].loss);
    const evaluation = report.evaluation!;
    expect(evaluation.on).toBe('validation');
    expect(evaluation.count).toBe(40);
    expect(sum(evaluation.confusion)).toBe(40);
    expect(evaluation.accuracy).toBe(evaluation.confusion.reduce((a, row, i) => a + row[i], 0) / 40);
    expect(evaluation.accuracy).toBe(report.history[1].valAccuracy);
    // Progress went to stderr, one line per epoch at least; stdout is only the JSON.
    expect(r.stderr).toMatch(/epoch 1\/2 batch 1\/10 loss \d/);
    expect(r.stderr).toMatch(/epoch 2\/2: loss [\d.]+, val loss [\d.]+, val accuracy [\d.]+%/);

    const bytes = new Uint8Array(await readFile(out));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(report.sha256);
    const model = decodeModel(bytes);
    expect(JSON.parse(model.metadata['onnxkit.labels'])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(JSON.parse(model.metadata['onnxkit.preprocessing'])).toMatchObject({ layout: 'NCHW', height: 28, width: 28, channels: 1, polarity: 'light-on-dark' });
    expect(JSON.parse(model.metadata['onnxkit.card'])).toMatchObject({ name: 'digits', recipe: { epochs: 2, batchSize: 16, learningRate: 0.002 } });
    const session = await ort.InferenceSession.create(bytes);
    const probs = (await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 784).fill(0.2), [2, 1, 28, 28]) })).probabilities;
    expect(probs.dims).toEqual([2, 10]);
    expect([...(probs.data as Float32Array).subarray(0, 10)].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await session.release();

    expect(report.plots).toEqual({ curves: file('seed/digits.curves.svg'), confusion: file('seed/digits.confusion.svg') });
    await expectSvg(report.plots!.curves!, 'validation accuracy', 'training loss', 'validation loss');
    await expectSvg(report.plots!.confusion!, 'predicted', 'true');
  });

  it('takes a schedule, warm-up and early stopping, prints a text summary and skips pictures with --no-plots', async () => {
    const out = file('cosine.onnx');
    const r = await cli([
      'train', '--arch', 'seed-cnn', '--data', digits, '--epochs', '3', '--batch-size', '32', '--schedule', 'cosine', '--warmup', '2',
      '--optimizer', 'adam', '--validation', '0.2', '--early-stopping', '1', '--no-plots', '--no-progress', '--out', out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^trained arch:seed-cnn on cpu: 160 examples \(\+40 validation\), 10 classes; 93,322 parameters in 10 tensors trained\n/);
    expect(r.stdout).toMatch(/\n(completed after 3 epochs|stopped early \(validation loss stopped improving\) after [12] epochs?), \d+ steps, [\d.]+ s\n/);
    expect(r.stdout).toMatch(/\nvalidation accuracy [\d.]+% on 40 examples\n/);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(file('cosine.curves.svg'))).toBe(false);
  });

  it('trains every parameter of an existing model file on an image folder <dir>/<label>/*.png', async () => {
    const out = file('mnist-cnn.more.onnx');
    const r = await cli(['train', mnistCnn, '--data', pngDigits, '--epochs', '1', '--batch-size', '10', '--lr', '1e-4', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as TrainReport;
    expect(report.data).toMatchObject({ kind: 'image-folder', examples: 50, classes: 10 });
    expect(report.evaluation).toMatchObject({ on: 'training', count: 50 });
    // The shipped model already knows these digits.
    expect(report.evaluation!.accuracy).toBeGreaterThan(0.9);
    const model = decodeModel(new Uint8Array(await readFile(out)));
    expect(JSON.parse(model.metadata['onnxkit.preprocessing'])).toMatchObject({ procedure: 'mnist' });
  });

  it('Ctrl-C saves a checkpoint and exits cleanly; --resume ends with the same parameters as an uninterrupted run', async () => {
    const args = (out: string) => ['train', '--arch', 'seed-cnn', '--data', digits, '--epochs', '3', '--batch-size', '8', '--seed', '5', '--augment', '--out', out, '--json'];
    const whole = await cli(args(file('whole.onnx')));
    expect(whole.code).toBe(0);

    const run = startCli(args(file('stopped.onnx')));
    await run.waitForStderr(/epoch 1\/3 batch \d+\/25/);
    run.child.kill('SIGINT');
    const stopped = await run.exited;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toMatch(/interrupted: stopping after this batch and saving a checkpoint/);
    const partial = JSON.parse(stopped.stdout) as TrainReport;
    expect(partial.stopReason).toBe('aborted');
    expect(partial.checkpoint).toBe(file('stopped.checkpoint'));
    expect(partial.out).toBeUndefined();
    expect(partial.steps).toBeLessThan(3 * 25);
    expect(existsSync(partial.checkpoint!)).toBe(true);
    expect(existsSync(file('stopped.onnx'))).toBe(false);

    // Other options than the checkpoint's run are refused, naming the option.
    const other = await cli([...args(file('stopped.onnx')), '--seed', '6', '--resume', partial.checkpoint!]);
    expect(expectOneLineError(other)).toMatch(/--resume .*stopped\.checkpoint: the checkpoint's run used --seed 5, this one 6/);

    const resumed = await cli([...args(file('stopped.onnx')), '--resume', partial.checkpoint!]);
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout) as TrainReport;
    expect(report).toMatchObject({ stopReason: 'completed', steps: 3 * 25, resumedFrom: partial.checkpoint });
    expect(report.history.map((e) => e.epoch)).toEqual([0, 1, 2]);
    const a = initializersOf(new Uint8Array(await readFile(file('whole.onnx'))));
    const b = initializersOf(new Uint8Array(await readFile(file('stopped.onnx'))));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, t] of a) expect(Array.from(b.get(name)!.data as Float32Array), name).toEqual(Array.from(t.data as Float32Array));
  });

  describe('bad input: one line on stderr, exit 1', () => {
    const cases: [string, () => string[], RegExp][] = [
      ['neither model nor --arch', () => ['train', '--data', digits], /give either a model file or --arch seed-cnn/],
      ['both model and --arch', () => ['train', mnistCnn, '--arch', 'seed-cnn', '--data', digits], /give either a model file or --arch seed-cnn, not both/],
      ['unknown --arch', () => ['train', '--arch', 'resnet', '--data', digits], /option '--arch <name>' argument 'resnet' is invalid/],
      ['missing --data', () => ['train', '--arch', 'seed-cnn'], /required option '-d, --data <source>' not specified/],
      ['missing data folder', () => ['train', '--arch', 'seed-cnn', '--data', file('nope')], /--data '.*nope': no such folder \(expected mnist, an IDX folder, or <dir>\/<label>\/\*\.png\)/],
      ['bad --epochs', () => ['train', '--arch', 'seed-cnn', '--data', digits, '--epochs', '0'], /--epochs '0': expected a positive integer/],
      ['bad --lr', () => ['train', '--arch', 'seed-cnn', '--data', digits, '--lr', 'fast'], /--lr 'fast': expected a number > 0/],
      ['bad --validation', () => ['train', '--arch', 'seed-cnn', '--data', digits, '--validation', '1.5'], /--validation '1\.5': expected a count/],
      ['--validation leaving nothing', () => ['train', '--arch', 'seed-cnn', '--data', digits, '--validation', '200'], /--validation 200: must leave training examples \(the data has 200\)/],
      ['early stopping without validation', () => ['train', '--arch', 'seed-cnn', '--data', digits, '--early-stopping', '2'], /--early-stopping needs validation data/],
      ['unknown schedule', () => ['train', '--arch', 'seed-cnn', '--data', digits, '--schedule', 'linear'], /argument 'linear' is invalid. Allowed choices are constant, step, cosine/],
      ['--split on an image folder', () => ['train', '--arch', 'seed-cnn', '--data', pngDigits, '--split', 'train'], /--split applies to IDX folders/],
      ['missing split', () => ['train', '--arch', 'seed-cnn', '--data', digits, '--split', 'test'], /--split test: '.*digits' has only the train split/],
      ['unreadable --resume', () => ['train', '--arch', 'seed-cnn', '--data', digits, '--resume', file('none.checkpoint')], /--resume '.*none\.checkpoint': cannot read it: no such file/],
      ['--resume of a file that is no checkpoint', () => ['train', '--arch', 'seed-cnn', '--data', digits, '--resume', path.join(digits, 'train-labels-idx1-ubyte')], /--resume '.*': .*not an onnxkit checkpoint/],
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

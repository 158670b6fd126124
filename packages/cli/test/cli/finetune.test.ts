import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, replaceHead } from '@onnxkit/core';
import type { TrainReport } from '../../src/cli/training/train-report.js';
import { cli, expectOneLineError, fixtures } from './harness.js';
import { initializersOf, mnistCnn, someDigits, someLetters, writeIdxFolder, writeImageFolder } from './training-data.js';

// Fine-tuning the shipped digit model: to notMNIST letters with a new head, and on digits with chosen parameters.
let dir: string;
let letters: string;
let digits: string;
let threeWay: string;
let source: Map<string, { data: unknown }>;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-finetune-'));
  letters = await writeImageFolder(file('letters'), someLetters(8, 4), ['A', 'B', 'C', 'D']);
  digits = await writeIdxFolder(file('digits'), someDigits(10));
  const bytes = new Uint8Array(await readFile(mnistCnn));
  source = initializersOf(bytes);
  threeWay = file('three-way.onnx');
  await writeFile(threeWay, encodeModel(replaceHead(decodeModel(bytes), { classes: 3 }).model));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const values = (t: { data: unknown } | undefined) => Array.from(t!.data as Float32Array);

describe('onnxkit finetune', () => {
  it('--new-head 4 --head-only moves mnist-cnn to letters: only the new head trains; labels come from the folders', async () => {
    const out = file('letters.onnx');
    const r = await cli(['finetune', mnistCnn, '--data', letters, '--new-head', '4', '--head-only', '--epochs', '4', '--batch-size', '8', '--lr', '0.01', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as TrainReport;
    expect(report).toMatchObject({ command: 'finetune', model: mnistCnn, stopReason: 'completed', steps: 4 * 4 });
    expect(report.data).toMatchObject({ kind: 'image-folder', examples: 32, classes: 4 });
    expect(report.trainable).toEqual({ tensors: ['fc2.weight', 'fc2.bias'], elements: 4 * 64 + 4 });
    expect(report.recipe).toMatchObject({ newHead: 4, headOnly: true });
    expect(report.history[3].loss).toBeLessThan(report.history[0].loss);
    expect(report.evaluation!.labels).toEqual(['A', 'B', 'C', 'D']);

    const bytes = new Uint8Array(await readFile(out));
    const model = decodeModel(bytes);
    expect(JSON.parse(model.metadata['onnxkit.labels'])).toEqual(['A', 'B', 'C', 'D']);
    expect(model.graph.outputs[0].type).toMatchObject({ shape: ['N', 4] });
    const tuned = initializersOf(bytes);
    expect(tuned.get('fc2.weight')!.dims).toEqual([4, 64]);
    for (const name of ['conv1.weight', 'conv2.bias', 'conv3.weight', 'fc1.weight', 'fc1.bias']) expect(values(tuned.get(name)), name).toEqual(values(source.get(name)));
    const session = await ort.InferenceSession.create(bytes);
    const probs = (await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 784), [2, 1, 28, 28]) })).probabilities;
    expect(probs.dims).toEqual([2, 4]);
    await session.release();
  });

  it('--trainable trains exactly the named tensors; the rest of the model stays as it was', async () => {
    const out = file('fc1.onnx');
    const r = await cli(['finetune', mnistCnn, '--data', digits, '--trainable', 'fc1.weight,fc1.bias', '--epochs', '1', '--batch-size', '20', '--lr', '0.01', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as TrainReport;
    expect(report.trainable).toEqual({ tensors: ['fc1.weight', 'fc1.bias'], elements: 64 * 576 + 64 });
    expect(report.steps).toBe(5);
    const tuned = initializersOf(new Uint8Array(await readFile(out)));
    expect(values(tuned.get('fc1.weight'))).not.toEqual(values(source.get('fc1.weight')));
    for (const name of ['conv1.weight', 'conv3.bias', 'fc2.weight', 'fc2.bias']) expect(values(tuned.get(name)), name).toEqual(values(source.get(name)));
  });

  it('--head-only on the same task keeps the labels and prints a text summary', async () => {
    const r = await cli(['finetune', mnistCnn, '--data', digits, '--head-only', '--epochs', '1', '--no-progress', '--no-plots', '--out', file('head.onnx')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^fine-tuned .*mnist-cnn\.onnx on cpu: 100 examples, 10 classes; 650 parameters in 2 tensors trained\n/);
    expect(r.stdout).toMatch(/\ntraining accuracy [\d.]+% on 100 examples\n/);
    const model = decodeModel(new Uint8Array(await readFile(file('head.onnx'))));
    expect(JSON.parse(model.metadata['onnxkit.labels'])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  describe('bad input: one line on stderr, exit 1', () => {
    const relu = path.join(fixtures, 'onnx-node-tests/test_relu/model.onnx');
    const cases: [string, () => string[], RegExp][] = [
      ['--trainable with --head-only', () => ['finetune', mnistCnn, '--data', digits, '--head-only', '--trainable', 'fc1.weight'], /--trainable and --head-only exclude each other/],
      ['unknown --trainable name', () => ['finetune', mnistCnn, '--data', digits, '--trainable', 'fc9.weight'], /trainable 'fc9\.weight' is not an initializer; valid names: 'conv1\.weight'/],
      ['more classes than outputs', () => ['finetune', threeWay, '--data', digits], /--data '.*digits' has 10 classes but the model outputs 3; add --new-head 10/],
      ['--new-head 1', () => ['finetune', mnistCnn, '--data', digits, '--new-head', '1'], /--new-head 1: a classifier needs at least 2 classes/],
      ['--new-head on a model without a dense head', () => ['finetune', relu, '--data', digits, '--new-head', '3'], /findHead: output 'y' does not come from a dense layer/],
      ['a model without an image input', () => ['finetune', relu, '--data', digits], /the model's input 'x' is not a float32 image batch of rank 4/],
      ['--labels of the wrong length', () => ['finetune', mnistCnn, '--data', letters, '--new-head', '4', '--labels', 'a,b'], /--labels has 2 names but the model outputs 4 classes/],
      ['a missing model', () => ['finetune', file('gone.onnx'), '--data', digits], /cannot read model '.*gone\.onnx': no such file/],
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

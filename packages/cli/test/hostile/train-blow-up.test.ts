import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainReport } from '../../src/cli/training/train-report.js';
import { cli, expectOneLineError } from '../cli/harness.js';
import { initializersOf, someDigits, writeIdxFolder, writeImageFolder } from '../cli/training-data.js';

let dir: string;
let digits: string;
let png: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-blowup-'));
  // 20 digits in one batch of 20: the first update is the last.
  digits = await writeIdxFolder(path.join(dir, 'digits'), someDigits(2));
  png = await writeImageFolder(path.join(dir, 'png'), someDigits(1, 2), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('onnxkit train with a learning rate that blows up on the final update (finding 4)', () => {
  it('keeps finite parameters, says why it stopped, and the model classifies with real probabilities', async () => {
    const out = path.join(dir, 'blown.onnx');
    const r = await cli(['train', '--arch', 'seed-cnn', '--data', digits, '--epochs', '1', '--batch-size', '20', '--optimizer', 'sgd', '--lr', '1e30', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as TrainReport;
    expect(['non-finite-loss', 'diverged']).toContain(report.stopReason);
    for (const [name, t] of initializersOf(new Uint8Array(await readFile(out)))) {
      if (t.dtype === 'float32') expect({ name, finite: Array.from(t.data as Float32Array).every(Number.isFinite) }).toEqual({ name, finite: true });
    }
    const c = await cli(['classify', out, path.join(png, '3'), '--json']);
    expect(c.code).toBe(0);
    const probability = (JSON.parse(c.stdout) as { results: { probability: number }[] }).results[0].probability;
    expect(probability).toBeGreaterThan(0);
    expect(probability).toBeLessThanOrEqual(1);
  });

  it('classify on a model with NaN weights fails with one clear line instead of printing "0 NaN%"', async () => {
    const { encodeModel, GraphBuilder, setPreprocessingSpec } = await import('@onnxkit/node');
    const b = new GraphBuilder({ opset: 17 });
    b.input('X', 'float32', ['N', 1, 28, 28]);
    b.initializer('W', 'float32', [784, 10], new Float32Array(7840).fill(Number.NaN));
    b.op('Flatten', ['X'], {}, { output: 'f' });
    b.op('MatMul', ['f', 'W'], {}, { output: 'scores' });
    b.output('scores', 'float32', ['N', 10]);
    const model = b.build();
    setPreprocessingSpec(model, { layout: 'NCHW', height: 28, width: 28, channels: 1, scale: [0, 1], polarity: 'any', procedure: 'resize' });
    const file = path.join(dir, 'nan.onnx');
    await (await import('node:fs/promises')).writeFile(file, encodeModel(model));
    expect(expectOneLineError(await cli(['classify', file, path.join(png, '3')]))).toMatch(/non-finite score \(NaN\)/);
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeModel, float, GraphBuilder, glorotUniform, Random, type Model } from '@onnxkit/core';
import type { ArtifactsReport } from '../../src/cli/commands/artifacts.js';
import type { TrainReport } from '../../src/cli/training/train-report.js';
import { cli, expectOneLineError } from './harness.js';
import { initializersOf, someDigits, writeIdxFolder } from './training-data.js';

// `--batch-norm` of `onnxkit train`, `finetune` and `artifacts`, on a small digit CNN with one BatchNormalization.
let dir: string;
let digits: string;
let model: string;
const file = (name: string) => path.join(dir, name);

/** input [N,1,28,28] → Conv(8, 3×3, stride 2) → BatchNormalization → Relu → GlobalAveragePool → Gemm(10). */
function digitBnCnn(): Model {
  const b = new GraphBuilder({ opset: 17, name: 'digit_bn' });
  b.initializer('conv.weight', 'float32', [8, 1, 3, 3], glorotUniform([8, 1, 3, 3], new Random(1)));
  b.initializer('bn.weight', 'float32', [8], new Float32Array(8).fill(1));
  b.initializer('bn.bias', 'float32', [8], new Float32Array(8));
  b.initializer('bn.running_mean', 'float32', [8], new Float32Array(8));
  b.initializer('bn.running_var', 'float32', [8], new Float32Array(8).fill(1));
  b.initializer('fc.weight', 'float32', [10, 8], glorotUniform([10, 8], new Random(2)));
  b.initializer('fc.bias', 'float32', [10], new Float32Array(10));
  let x = b.op('Conv', [b.input('input', 'float32', ['N', 1, 28, 28]), 'conv.weight'], { kernel_shape: [3, 3], strides: [2, 2] });
  x = b.op('Relu', [b.op('BatchNormalization', [x, 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'], { epsilon: float(1e-5), momentum: float(0.9) })]);
  x = b.op('Flatten', [b.op('GlobalAveragePool', [x])], { axis: 1 });
  b.output(b.op('Gemm', [x, 'fc.weight', 'fc.bias'], { transB: 1 }, { output: 'logits' }), 'float32', ['N', 10]);
  return b.build();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-bn-'));
  digits = await writeIdxFolder(file('digits'), someDigits(8));
  model = file('digit-bn.onnx');
  await writeFile(model, encodeModel(digitBnCnn()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const trainArgs = (out: string, ...extra: string[]) => ['train', model, '--data', digits, '--epochs', '1', '--batch-size', '16', '--out', out, '--json', '--no-plots', '--no-progress', ...extra];

describe('--batch-norm', () => {
  it("train: 'train' updates the running statistics the exported model holds; the default keeps them", async () => {
    const trained = JSON.parse((await cli(trainArgs(file('train.onnx'), '--batch-norm', 'train'))).stdout) as TrainReport;
    expect(trained.stopReason).toBe('completed');
    const after = initializersOf(new Uint8Array(await readFile(file('train.onnx'))));
    expect(Array.from(after.get('bn.running_var')!.data as Float32Array).some((v) => Math.abs(v - 1) > 1e-3)).toBe(true);
    expect(Array.from(after.get('bn.running_mean')!.data as Float32Array).some((v) => Math.abs(v) > 1e-3)).toBe(true);

    const frozenRun = await cli(trainArgs(file('frozen.onnx')));
    expect(frozenRun.code).toBe(0);
    const frozen = initializersOf(new Uint8Array(await readFile(file('frozen.onnx'))));
    expect(frozen.get('bn.running_var')!.data).toEqual(new Float32Array(8).fill(1));
    expect(frozen.get('bn.running_mean')!.data).toEqual(new Float32Array(8));
  });

  it("artifacts: 'train' reports and writes the running statistics; a bad mode is a usage error", async () => {
    const out = file('artifacts');
    const r = await cli(['artifacts', model, '--out', out, '--batch-norm', 'train', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ArtifactsReport;
    expect(report.summary.batchNorm).toBe('train');
    expect(report.summary.runningStatistics.map((s) => s.name)).toEqual(['bn.running_mean', 'bn.running_var']);
    const ckpt = decodeCheckpoint(new Uint8Array(await readFile(path.join(out, 'checkpoint'))));
    expect(ckpt.buffers?.map((t) => t.name)).toEqual(['bn.running_mean', 'bn.running_var']);
    const text = await cli(['artifacts', model, '--out', file('artifacts-text'), '--batch-norm', 'train']);
    expect(text.stdout).toContain('BatchNormalization trained: 2 running statistics updated');
    expect(expectOneLineError(await cli(['artifacts', model, '--out', out, '--batch-norm', 'batch']))).toMatch(/--batch-norm.*'batch'.*frozen, train/);
  });
});

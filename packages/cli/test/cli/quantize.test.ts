import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, readRecipe } from '@onnxkit/node';
import type { QuantizeFileReport } from '../../src/cli/commands/quantize.js';
import { cli, expectOneLineError } from './harness.js';
import { mnistCnn, someDigits, writeIdxFolder } from './training-data.js';

let dir: string;
let digits: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-quantize-'));
  // An IDX folder like Fashion-MNIST's: a train split to calibrate on, a test split to score on.
  digits = await writeIdxFolder(path.join(dir, 'digits'), someDigits(20, 1), 'train');
  await writeIdxFolder(digits, someDigits(30, 2), 'test');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('onnxkit quantize', () => {
  it('static int8 from an IDX folder: prints size and accuracy before/after and writes the model', async () => {
    const out = path.join(dir, 'int8.onnx');
    const r = await cli(['quantize', mnistCnn, '--calibrate', digits, '--per-channel', '--format', 'qdq', '--calibration-size', '100', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^quantized .*mnist-cnn\.onnx → .*int8\.onnx: int8 static \(QDQ\)$/);
    expect(lines[1]).toMatch(/^calibration: minmax on 100 images from .*digits \(train split\)$/);
    const [, before, after, ratio] = /^size: ([\d,]+) → ([\d,]+) bytes \(([\d.]+)x smaller\)$/.exec(lines[2])!;
    expect(Number(before.replace(/,/g, ''))).toBe((await stat(mnistCnn)).size);
    expect(Number(after.replace(/,/g, ''))).toBe((await stat(out)).size);
    expect(Number(ratio)).toBeGreaterThanOrEqual(3.5);
    expect(lines[3]).toMatch(/^accuracy on .*digits \(test split\), 300 examples: \d+\.\d\d% → \d+\.\d\d% \([+-]\d+\.\d\d points\)$/);
    expect(lines[4]).toBe('int8 nodes: conv1, conv2, conv3, fc1, fc2');
    expect(readRecipe(decodeModel(new Uint8Array(await readFile(out))))).toMatchObject({ mode: 'static', perChannel: true });
  });

  it('--json, --mode fp16 with --data <folder>, and --exclude', async () => {
    const r = await cli(['quantize', mnistCnn, '--mode', 'fp16', '--data', digits, '--exclude', 'softmax', '-o', path.join(dir, 'fp16.onnx'), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as QuantizeFileReport;
    expect(report.mode).toBe('fp16');
    expect(report.bytesAfter).toBeLessThan(report.bytesBefore / 1.9);
    expect(report.accuracy!.count).toBe(300);
    expect(Math.abs(report.accuracy!.after - report.accuracy!.before)).toBeLessThanOrEqual(0.01);
    expect(report.report.skipped).toEqual([{ node: 'softmax', opType: 'Softmax', reason: 'excluded by name' }]);
  });

  it('dynamic and weight-only need no calibration data; the default output name says the mode', async () => {
    const dyn = await cli(['quantize', mnistCnn, '--mode', 'dynamic', '-o', path.join(dir, 'dyn.onnx')]);
    expect(dyn.code).toBe(0);
    expect(dyn.stdout).toMatch(/int8 nodes: fc1, fc2/);
    expect(dyn.stdout).not.toMatch(/accuracy/);
    const copy = path.join(dir, 'model.onnx');
    await copyFile(mnistCnn, copy);
    const w = await cli(['quantize', copy, '--mode', 'weight-only']);
    expect(w.code).toBe(0);
    expect((await stat(path.join(dir, 'model.int8-weights.onnx'))).isFile()).toBe(true);
  });

  it('fails in one line: static without --calibrate, an unknown layer, a format it does not write', async () => {
    expect(expectOneLineError(await cli(['quantize', mnistCnn, '-o', path.join(dir, 'a.onnx')]))).toMatch(/--calibrate <data> is needed for static quantization/);
    expect(expectOneLineError(await cli(['quantize', mnistCnn, '--calibrate', digits, '--exclude', 'fc7', '-o', path.join(dir, 'b.onnx')]))).toMatch(
      /exclude names 'fc7', which is no node of the model/,
    );
    expect(expectOneLineError(await cli(['quantize', mnistCnn, '--calibrate', digits, '--format', 'qoperator']))).toMatch(/--format.*qoperator.*qdq/);
    expect(expectOneLineError(await cli(['quantize', mnistCnn, '--calibrate', path.join(dir, 'nope')]))).toMatch(/--data '.*nope': no such folder/);
  });
});

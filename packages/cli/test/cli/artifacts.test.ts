import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_MAGIC, decodeCheckpoint, decodeModel } from '@onnxkit/core';
import type { ArtifactsReport } from '../../src/cli/commands/artifacts.js';
import { cli, expectOneLineError, mnist8 } from './harness.js';

const FILES = ['checkpoint', 'eval_model.onnx', 'optimizer_model.onnx', 'training_model.onnx'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-art-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('onnxkit artifacts', () => {
  it('writes the four artifacts for mnist-8, which decode and load in ORT, and prints a summary', async () => {
    const out = path.join(dir, 'mnist', 'nested');
    const r = await cli(['artifacts', mnist8, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(FILES);

    const training = decodeModel(new Uint8Array(await readFile(path.join(out, 'training_model.onnx'))));
    const checkpoint = new Uint8Array(await readFile(path.join(out, 'checkpoint')));
    expect(checkpoint.subarray(0, 8)).toEqual(CHECKPOINT_MAGIC);
    const params = decodeCheckpoint(checkpoint).parameters.map((p) => p.name);
    expect(params.length).toBeGreaterThan(0);
    const outputs = training.graph.outputs.map((o) => o.name);
    expect(outputs).toEqual(['loss', ...params.map((p) => `${p}_grad`)]);
    expect(training.graph.inputs.map((i) => i.name)).toEqual(expect.arrayContaining(['Input3', 'labels', ...params]));
    for (const f of ['training_model.onnx', 'eval_model.onnx', 'optimizer_model.onnx']) {
      const session = await ort.InferenceSession.create(path.join(out, f));
      await session.release();
    }

    const elements = decodeCheckpoint(checkpoint).parameters.reduce((n, p) => n + p.data.length, 0);
    expect(r.stdout).toContain(`wrote 4 files to ${out}\n`);
    expect(r.stdout).toContain(`trainable parameters: ${elements.toLocaleString('en-US')} values in ${params.length} tensors\n`);
    expect(r.stdout).toMatch(/loss: cross-entropy on 'Plus214_Output_0'; optimizer: adamw/);
    for (const f of ['training_model.onnx', 'eval_model.onnx', 'optimizer_model.onnx']) {
      expect(r.stdout).toMatch(new RegExp(`  ${f.replace('.', '\\.')} +[\\d,]+ nodes +[\\d,]+ bytes\\n`));
    }
  });

  it('honours --loss, --optimizer and --frozen, and reports files in --json', async () => {
    const out = path.join(dir, 'frozen');
    const r = await cli(['artifacts', mnist8, '--out', out, '--loss', 'mse', '--optimizer', 'sgd', '--frozen', 'Parameter5,Parameter6', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ArtifactsReport;
    expect(report.summary.loss).toBe('mse');
    expect(report.summary.optimizer.optimizer).toBe('sgd');
    expect(report.summary.frozen).toEqual(expect.arrayContaining(['Parameter5', 'Parameter6']));
    expect(report.summary.trainable.map((t) => t.name)).not.toContain('Parameter5');
    for (const f of report.files) {
      expect((await readFile(path.join(out, f.file))).byteLength).toBe(f.bytes);
    }
    expect(report.files.find((f) => f.file === 'training_model.onnx')?.nodes).toBe(
      decodeModel(new Uint8Array(await readFile(path.join(out, 'training_model.onnx')))).graph.nodes.length,
    );
    // Atomic writes leave no temporary files behind.
    expect((await readdir(out)).sort()).toEqual(FILES);
  });

  it('refuses bad options with one line', async () => {
    const out = path.join(dir, 'bad');
    expect(expectOneLineError(await cli(['artifacts', mnist8]))).toMatch(/required option '-o, --out <dir>' not specified/);
    expect(expectOneLineError(await cli(['artifacts', mnist8, '--out', out, '--loss', 'hinge']))).toMatch(
      /option '--loss <loss>' argument 'hinge' is invalid. Allowed choices are cross-entropy, mse/,
    );
    expect(expectOneLineError(await cli(['artifacts', mnist8, '--out', out, '--frozen', 'a,,b']))).toMatch(
      /--frozen 'a,,b': expected comma-separated initializer names/,
    );
    expect(expectOneLineError(await cli(['artifacts', mnist8, '--out', out, '--trainable', 'NoSuchWeight']))).toMatch(/NoSuchWeight/);
  });
});

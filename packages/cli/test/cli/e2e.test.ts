import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTensorProto, encodeNpy } from '@onnxkit/node';
import type { RunReport } from '../../src/cli/commands/run.js';
import { expectOneLineError, fixtures, mnist8, spawnCli } from './harness.js';

// The executable as users run it (`pnpm onnxkit …` = tsx on the entry), in a child process. Each spawn
// costs about a second, so the many cases live in the in-process tests and only these few go end to end.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-e2e-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('onnxkit executable', () => {
  it('runs mnist-8 on a .npy digit and prints the device and the 10 scores', async () => {
    const npy = path.join(dir, 'digit.npy');
    const data = Float32Array.from({ length: 784 }, (_, i) => ((i * 37) % 255) / 255);
    await writeFile(npy, encodeNpy({ dtype: 'float32', dims: [1, 1, 28, 28], data }));
    const r = await spawnCli(['run', mnist8, '--input', `Input3=${npy}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^device: cpu\n/);
    const scores = /Plus214_Output_0: float32 \[1,10\]\n {2}\[(.*)\]/.exec(r.stdout)?.[1].split(', ').map(Number);
    expect(scores).toHaveLength(10);
    expect(scores!.every(Number.isFinite)).toBe(true);
  });

  it('runs a conformance model on a TensorProto input and prints outputs matching output_0.pb as JSON', async () => {
    const relu = path.join(fixtures, 'onnx-node-tests/test_relu');
    const r = await spawnCli(['run', path.join(relu, 'model.onnx'), '--input', path.join(relu, 'test_data_set_0/input_0.pb'), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as RunReport;
    const expected = decodeTensorProto(new Uint8Array(await readFile(path.join(relu, 'test_data_set_0/output_0.pb'))));
    expect(report.outputs[0].dims).toEqual(expected.dims);
    expect(report.outputs[0].data).toEqual(Array.from(expected.data as Float32Array));
  });

  it('inspect --json describes mnist-8', async () => {
    const r = await spawnCli(['inspect', mnist8, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.inputs).toEqual([{ name: 'Input3', kind: 'tensor', dtype: 'float32', shape: [1, 1, 28, 28], inferred: false }]);
    expect(summary.outputs[0]).toMatchObject({ name: 'Plus214_Output_0', dtype: 'float32', shape: [1, 10] });
    expect(summary.opHistogram).toMatchObject({ Conv: 2, MaxPool: 2, MatMul: 1 });
  });

  it('artifacts writes the four training artifacts', async () => {
    const out = path.join(dir, 'artifacts');
    const r = await spawnCli(['artifacts', mnist8, '--out', out, '--optimizer', 'momentum']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote 4 files to /);
    expect((await readdir(out)).sort()).toEqual(['checkpoint', 'eval_model.onnx', 'optimizer_model.onnx', 'training_model.onnx']);
  });

  it('fails with exit 1 and one stderr line for a missing model and for a wrong input name', async () => {
    const missing = await spawnCli(['run', path.join(dir, 'missing.onnx')]);
    expect(missing.code).toBe(1);
    expect(expectOneLineError(missing)).toMatch(/^onnxkit: error: cannot read model '.*missing\.onnx': no such file$/);
    const wrong = await spawnCli(['run', mnist8, '--input', `image=${path.join(dir, 'digit.npy')}`]);
    expect(wrong.code).toBe(1);
    expect(expectOneLineError(wrong)).toMatch(/the model has no input 'image'; its inputs: Input3: float32\[1,1,28,28\]$/);
  });
});

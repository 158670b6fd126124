import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel, GraphBuilder } from '@onnxkit/core';
import { decodeTensorProto, encodeNpy } from '@onnxkit/node';
import type { RunReport } from '../../src/cli/commands/run.js';
import { cli, fixtures, mnist8 } from './harness.js';

const nodeTests = path.join(fixtures, 'onnx-node-tests');

/** A deterministic 28x28 "digit": a bright ring on a dark background, scaled to 0..1. */
function digit(): Float32Array {
  const px = new Float32Array(28 * 28);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const r = Math.hypot(x - 13.5, y - 13.5);
      px[y * 28 + x] = Math.max(0, 1 - Math.abs(r - 8) / 3);
    }
  }
  return px;
}

async function referenceMnist(input: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(mnist8);
  const out = await session.run({ Input3: new ort.Tensor('float32', input, [1, 1, 28, 28]) });
  await session.release();
  return out.Plus214_Output_0.data as Float32Array;
}

async function pbValues(file: string): Promise<number[]> {
  return Array.from(decodeTensorProto(new Uint8Array(await readFile(file))).data as Float32Array);
}

function expectClose(actual: readonly (number | string | boolean)[], expected: ArrayLike<number>, rtol = 1e-3, atol = 1e-7) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    expect(Math.abs((a as number) - e)).toBeLessThanOrEqual(atol + rtol * Math.abs(e));
  });
}

let dir: string;
beforeAll(async () => {
  // As the CLI does: the expected CUDA probe failure of device 'auto' is reported, not logged by ORT.
  ort.env.logLevel = 'fatal';
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('onnxkit run', () => {
  it('runs mnist-8 on a .npy and on a nested-array .json input, matching ORT', async () => {
    const x = digit();
    const npy = path.join(dir, 'digit.npy');
    await writeFile(npy, encodeNpy({ dtype: 'float32', dims: [1, 1, 28, 28], data: x }));
    const json = path.join(dir, 'digit.json');
    const nested = [[Array.from({ length: 28 }, (_, r) => Array.from(x.subarray(r * 28, r * 28 + 28)))]];
    await writeFile(json, JSON.stringify(nested));
    const expected = await referenceMnist(x);

    for (const input of [npy, `Input3=${json}`]) {
      const r = await cli(['run', mnist8, '--input', input, '--device', 'cpu', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as RunReport;
      expect(report.device).toBe('cpu');
      expect(report.fallbacks).toEqual([]);
      expect(report.outputs.map((o) => [o.name, o.dtype, o.dims])).toEqual([['Plus214_Output_0', 'float32', [1, 10]]]);
      expectClose(report.outputs[0].data, expected, 1e-5, 1e-6);
    }
  });

  it('prints the device, the fallbacks and the outputs in text mode', async () => {
    const npy = path.join(dir, 'digit-text.npy');
    await writeFile(npy, encodeNpy({ dtype: 'float32', dims: [1, 1, 28, 28], data: digit() }));
    const r = await cli(['run', mnist8, '-i', npy]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('device: cpu');
    // device 'auto' tries CUDA, then WebGPU; here they cannot start, and the report says why, one line each.
    for (const f of lines.filter((l) => l.startsWith('fallback: '))) expect(f).toMatch(/^fallback: (cuda|webgpu) did not start: /);
    expect(lines).toContain('Plus214_Output_0: float32 [1,10]');
    expect(lines.at(-1)).toMatch(/^ {2}\[-?\d.*\]$/);
  });

  it('reads TensorProto inputs and matches the conformance outputs, truncating long tensors in text', async () => {
    const relu = path.join(nodeTests, 'test_relu');
    const json = await cli(['run', path.join(relu, 'model.onnx'), '--input', `x=${path.join(relu, 'test_data_set_0/input_0.pb')}`, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as RunReport;
    expect(report.outputs[0].dims).toEqual([3, 4, 5]);
    expectClose(report.outputs[0].data, await pbValues(path.join(relu, 'test_data_set_0/output_0.pb')));

    const text = await cli(['run', path.join(relu, 'model.onnx'), '--input', path.join(relu, 'test_data_set_0/input_0.pb')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/y: float32 \[3,4,5\]\n {2}\[.*, … \(40 more\)\]/);
  });

  it('places unnamed .pb inputs of a multi-input model by the names they carry', async () => {
    const conv = path.join(nodeTests, 'test_basic_conv_with_padding');
    const data = path.join(conv, 'test_data_set_0');
    const r = await cli(['run', path.join(conv, 'model.onnx'), '-i', path.join(data, 'input_1.pb'), '-i', path.join(data, 'input_0.pb'), '--json']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as RunReport;
    expectClose(report.outputs[0].data, await pbValues(path.join(data, 'output_0.pb')));
  });

  it('runs a model whose weights live in an external data file next to it', async () => {
    const folder = path.join(dir, 'external');
    await mkdir(folder, { recursive: true });
    const w = Float32Array.from([1.5, -2, 0.25]);
    const b = new GraphBuilder({ opset: 17 });
    b.input('X', 'float32', [1, 3]);
    b.initializer('W', 'float32', [1, 3], w);
    b.op('Mul', ['X', 'W'], {}, { output: 'Y' });
    b.output('Y', 'float32', [1, 3]);
    const model = b.build();
    Object.assign(model.graph.initializers[0], { data: new Float32Array(0), external: { location: 'weights.bin' } });
    await writeFile(path.join(folder, 'model.onnx'), encodeModel(model));
    await writeFile(path.join(folder, 'weights.bin'), new Uint8Array(w.buffer));
    await writeFile(path.join(folder, 'x.json'), '{"dims": [1, 3], "data": [2, 4, 8]}');

    const r = await cli(['run', path.join(folder, 'model.onnx'), '-i', path.join(folder, 'x.json'), '--json']);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as RunReport).outputs[0].data).toEqual([3, -8, 2]);
  });
});

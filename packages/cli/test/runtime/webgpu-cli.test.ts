/**
 * `onnxkit run|classify|train --device webgpu` on SwiftShader (see swiftshader.ts): the commands run on
 * onnxruntime-node's WebGPU provider, name the adapter, and agree with `--device cpu`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassifyReport } from '../../src/cli/commands/classify.js';
import type { RunReport } from '../../src/cli/commands/run.js';
import type { TrainReport } from '../../src/cli/training/train-report.js';
import { encodeNpy } from '@onnxkit/node';
import { cli } from '../cli/harness.js';
import { mnistCnn, someDigits, writeIdxFolder, writeImageFolder } from '../cli/training-data.js';
import { swiftShaderSkipReason, useSwiftShader } from '../../../node/test/runtime/swiftshader.js';

if (!swiftShaderSkipReason) useSwiftShader();
const SOFTWARE_LINE = /^device: webgpu on 'SwiftShader Device \(Subzero\)' \(software, .*libvk_swiftshader\.so\)$/;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-webgpu-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function json<T>(args: string[]): Promise<T> {
  const r = await cli([...args, '--json']);
  if (r.code !== 0) throw new Error(`onnxkit ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

describe.skipIf(swiftShaderSkipReason !== undefined)('onnxkit --device webgpu (SwiftShader)', () => {
  it('run: prints the adapter, and the outputs of --device cpu', async () => {
    const digits = someDigits(1);
    const npy = path.join(dir, 'input.npy');
    await writeFile(npy, encodeNpy({ dtype: 'float32', dims: [4, 1, 28, 28], data: digits.images.subarray(0, 4 * 784) }));
    const text = await cli(['run', mnistCnn, '--input', `input=${npy}`, '--device', 'webgpu']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(SOFTWARE_LINE);

    const gpu = await json<RunReport>(['run', mnistCnn, '--input', `input=${npy}`, '--device', 'webgpu']);
    const cpu = await json<RunReport>(['run', mnistCnn, '--input', `input=${npy}`, '--device', 'cpu']);
    expect([gpu.device, gpu.adapter?.software, gpu.fallbacks]).toEqual(['webgpu', true, []]);
    expect(cpu.adapter).toBeUndefined();
    const a = gpu.outputs[0].data as number[];
    const b = cpu.outputs[0].data as number[];
    expect(a).toHaveLength(40);
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThanOrEqual(1e-4);
  });

  it('classify: the same labels as --device cpu', async () => {
    const names = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
    const root = await writeImageFolder(path.join(dir, 'images'), someDigits(1, 2), names);
    const folders = names.map((n) => path.join(root, n));
    const gpu = await json<ClassifyReport>(['classify', mnistCnn, ...folders, '--device', 'webgpu']);
    const cpu = await json<ClassifyReport>(['classify', mnistCnn, ...folders, '--device', 'cpu']);
    expect(gpu.device).toBe('webgpu');
    expect(gpu.adapter?.name).toBe('SwiftShader Device (Subzero)');
    expect(gpu.classified).toBe(10);
    const labels = (r: ClassifyReport) => r.results.map((x) => (x.ok ? x.label : x.error));
    expect(labels(gpu)).toEqual(labels(cpu));
  });

  it('train: trains the seed CNN on webgpu with the loss of --device cpu', async () => {
    const data = await writeIdxFolder(path.join(dir, 'digits'), someDigits(4));
    const args = (device: string) => ['train', '--arch', 'seed-cnn', '--data', data, '--epochs', '1', '--batch-size', '8', '--optimizer', 'momentum', '--lr', '0.02', '--validation', '8', '--seed', '3', '--out', path.join(dir, `${device}.onnx`), '--device', device];
    const gpu = await json<TrainReport>(args('webgpu'));
    const cpu = await json<TrainReport>(args('cpu'));
    expect(gpu).toMatchObject({ command: 'train', device: 'webgpu', stopReason: 'completed', steps: 4 });
    expect(Math.abs(gpu.history[0].loss - cpu.history[0].loss)).toBeLessThanOrEqual(1e-4);
  }, 300_000);
});

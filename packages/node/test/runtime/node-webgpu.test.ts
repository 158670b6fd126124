/**
 * onnxruntime-node's bundled WebGPU provider (Dawn over Vulkan) on SwiftShader, the software Vulkan driver
 * Debian's chromium ships: the same numbers as ORT's CPU provider for the shipped models and for 20
 * momentum-SGD steps of the seed CNN, every node on WebGPU, and 'auto' never choosing the software adapter.
 * These check correctness only: SwiftShader runs on the CPU, so its speed says nothing about a GPU's.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildSeedCnn,
  createSession,
  fit,
  generateArtifacts,
  probeWebGpuAdapter,
  selectExamples,
  Trainer,
  type ImageDataset,
  type Session,
} from '@onnxkit/node';
import { loadMnistDigits } from '../../src/data/mnist-digits.js';
import { nodePlacements, linesBetween } from '../../../../test/browser/ort-log.js';
import { swiftShaderEnv, swiftShaderSkipReason, useSwiftShader } from './swiftshader.js';

const repoRoot = path.resolve(__dirname, '../../../..');
/** The models the repository ships, plus the ONNX zoo's mnist-8 (fixed batch of 1). */
const MODELS = [
  { file: path.join(repoRoot, 'models/onnx/mnist-cnn.onnx'), batch: 16 },
  { file: path.join(repoRoot, 'models/onnx/fashion-cnn.onnx'), batch: 16 },
  { file: path.resolve(repoRoot, '../shared/fixtures/models/mnist-onnx/mnist-8.onnx'), batch: 1 },
];
const SWIFTSHADER = { name: 'SwiftShader Device (Subzero)', software: true, driver: expect.stringMatching(/libvk_swiftshader\.so$/) };

if (!swiftShaderSkipReason) useSwiftShader();
const digits = loadMnistDigits({ perClass: 16 });

/** The first `n` digits as an NCHW float32 feed for `session`'s one input. */
function feed(session: Session, n: number) {
  const batch = selectExamples(digits, Array.from({ length: n }, (_, i) => (i * 37) % digits.count));
  return { [session.inputs[0].name]: { data: batch.images, dims: [n, 1, 28, 28] } };
}

async function outputsOn(device: 'webgpu' | 'cpu', file: string, n: number): Promise<{ session: Session; values: Float32Array }> {
  const session = await createSession(file, { device });
  const out = await session.run(feed(session, n));
  const values = (await Object.values(out)[0].getData()) as Float32Array;
  await session.release();
  return { session, values };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** 20 steps of momentum SGD (batches of 8 from 160 digits, one epoch) on `device`. */
async function trainCurve(device: 'webgpu' | 'cpu', data: ImageDataset) {
  // Momentum SGD, not Adam: Adam's first updates are about lr·sign(g), so float-level gradient
  // differences between providers flip whole updates of near-zero gradients.
  const artifacts = generateArtifacts(buildSeedCnn({ seed: 5 }), { optimizer: 'momentum', momentum: 0.9 });
  const trainer = await Trainer.create(artifacts, { device });
  const losses: number[] = [];
  const locations = new Set<string>();
  await fit(trainer, data, {
    epochs: 1,
    batchSize: 8,
    seed: 9,
    learningRate: 0.02,
    onBatchEnd: (b) => {
      losses.push(b.loss);
      locations.add(trainer.parametersLocation);
    },
  });
  const params = await trainer.getContiguousParameters();
  const result = { device: trainer.device, fallbacks: trainer.fallbacks, losses, locations, params };
  await trainer.release();
  return result;
}

describe.skipIf(swiftShaderSkipReason !== undefined)('Node WebGPU on SwiftShader', () => {
  it('identifies the adapter as SwiftShader, a software renderer', async () => {
    expect(await probeWebGpuAdapter()).toEqual({ adapter: SWIFTSHADER });
  });

  it.each(MODELS)('runs $file on webgpu with the outputs of cpu (1e-4)', async ({ file, batch }) => {
    const gpu = await outputsOn('webgpu', file, batch);
    const cpu = await outputsOn('cpu', file, batch);
    expect(gpu.session.device).toBe('webgpu');
    expect(gpu.session.fallbacks).toEqual([]);
    expect(gpu.session.adapter).toEqual(SWIFTSHADER);
    expect(cpu.session.adapter).toBeUndefined();
    const diff = maxDiff(gpu.values, cpu.values);
    console.log(`${path.basename(file)}: max |webgpu - cpu| = ${diff.toExponential(2)} over ${gpu.values.length} outputs`);
    expect(diff).toBeLessThanOrEqual(1e-4);
    // Real predictions, not zeros: the rows differ from one another.
    expect(new Set(Array.from(gpu.values.subarray(0, 10), (v) => v.toFixed(3))).size).toBeGreaterThan(1);
  });

  it("'auto' passes over the software adapter and says so; naming webgpu uses it", async () => {
    const auto = await createSession(MODELS[0].file);
    expect(auto.device).toBe('cpu');
    const skipped = auto.fallbacks.find((f) => f.device === 'webgpu');
    expect(skipped?.adapter).toEqual(SWIFTSHADER);
    expect(skipped?.error).toMatch(/^its adapter 'SwiftShader Device \(Subzero\)' \(software, .*libvk_swiftshader\.so\) is a software renderer, which 'auto' never picks; ask for device 'webgpu' to use it$/);
    await auto.release();

    const listed = await createSession(MODELS[0].file, { device: ['webgpu', 'cpu'] });
    expect(listed.device).toBe('webgpu');
    expect(listed.adapter).toEqual(SWIFTSHADER);
    await listed.release();
  });

  it('keeps outputs on the GPU when asked, and downloads them on request', async () => {
    const cpu = await outputsOn('cpu', MODELS[0].file, 4);
    const session = await createSession(MODELS[0].file, { device: 'webgpu', preferredOutputLocation: 'gpu-buffer' });
    const out = (await session.run(feed(session, 4))).probabilities;
    expect(out.location).toBe('gpu-buffer');
    expect(() => out.data).toThrow(/use await output.getData\(\)/);
    expect(maxDiff((await out.getData()) as Float32Array, cpu.values)).toBeLessThanOrEqual(1e-4);
    expect(out.location).toBe('cpu');
    out.dispose();
    await session.release();
  });

  it('trains the seed CNN for 20 momentum-SGD steps on webgpu with the loss curve of cpu (1e-4 per step)', async () => {
    const data = selectExamples(digits, Array.from({ length: 160 }, (_, i) => i));
    const gpu = await trainCurve('webgpu', data);
    const cpu = await trainCurve('cpu', data);
    expect(gpu.device).toBe('webgpu');
    expect(gpu.fallbacks).toEqual([]);
    // Parameters and optimizer state stayed in GPU buffers between steps.
    expect(gpu.locations).toEqual(new Set(['gpu-buffer']));
    expect(cpu.locations).toEqual(new Set(['cpu']));
    expect(gpu.losses).toHaveLength(20);
    const diffs = gpu.losses.map((l, i) => Math.abs(l - cpu.losses[i]));
    console.log(`loss webgpu ${gpu.losses.map((l) => l.toFixed(4)).join(' ')}\nmax |webgpu - cpu| per step ${Math.max(...diffs).toExponential(2)}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4);
    expect(gpu.losses[19]).toBeLessThan(gpu.losses[0]);
    // Reading the parameters back downloads the GPU buffers.
    expect(gpu.params.length).toBe(93_322);
    expect(maxDiff(gpu.params, cpu.params)).toBeLessThanOrEqual(1e-4);
  }, 300_000);

  it("places every node of the shipped models and of the Trainer's three graphs on WebGPU (ORT's verbose log)", async () => {
    // ORT prints placement natively on stderr, so the sessions start in a child process whose stderr is
    // read: gpu-check's placement mode, which starts models/onnx's models and the seed CNN's Trainer.
    const stderr = await new Promise<string>((resolve, reject) => {
      execFile(
        path.join(repoRoot, 'node_modules/.bin/tsx'),
        [path.join(repoRoot, 'scripts/gpu-check.ts'), '--placement', 'webgpu'],
        { cwd: repoRoot, env: { ...process.env, ...swiftShaderEnv() }, maxBuffer: 256 * 1024 * 1024 },
        (err, _stdout, text) => (err ? reject(new Error(`${err.message}\n${text.slice(-4000)}`)) : resolve(text)),
      );
    });
    const lines = stderr.split('\n');
    for (const name of ['mnist-cnn.onnx', 'fashion-cnn.onnx']) {
      const placed = nodePlacements(linesBetween(lines, `### begin ${name}`, `### end ${name}`));
      expect(placed, name).toEqual([{ WebGpuExecutionProvider: 12 }]);
    }
    const trainer = nodePlacements(linesBetween(lines, '### begin trainer', '### end trainer'));
    expect(trainer).toHaveLength(3);
    for (const p of trainer) expect(Object.keys(p)).toEqual(['WebGpuExecutionProvider']);
  });
});

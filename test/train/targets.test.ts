import { describe, expect, it } from 'vitest';
import {
  ARTIFACT_TARGETS,
  buildSeedCnn,
  decodeModel,
  encodeArtifacts,
  generateArtifacts,
  oneHot,
  selectExamples,
  Trainer,
  type ArtifactTarget,
  type ImageDataset,
  type TrainingArtifacts,
} from '@onnxkit/node';
import { commuteReluMaxPool } from '../../packages/core/src/train/artifacts/commute-relu-pool.js';
import { loadMnistDigits } from '../../packages/node/src/data/mnist-digits.js';

// Artifact targets: the same training run through each formulation, and how Trainer.create picks one.
const digits = loadMnistDigits({ perClass: 20 });
const TARGETS = Object.keys(ARTIFACT_TARGETS) as ArtifactTarget[];

function batch(ds: ImageDataset, step: number, n: number) {
  // 7919 is prime to the dataset size: batches walk a fixed permutation of the (class-sorted) digits.
  const b = selectExamples(ds, Array.from({ length: n }, (_, i) => ((step * n + i) * 7919) % ds.count));
  return { inputs: { input: { data: b.images, dims: [n, 1, 28, 28] } }, labels: { data: oneHot(b.labels, 10), dims: [n, 10] } };
}

async function lossCurve(artifacts: TrainingArtifacts, target: ArtifactTarget, steps: number): Promise<number[]> {
  const trainer = await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 1, target });
  expect(trainer.target).toBe(target);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { inputs, labels } = batch(digits, s, 16);
    losses.push((await trainer.trainStep(inputs, labels)).loss);
    await trainer.optimizerStep({ learningRate: 2e-3 });
    trainer.lazyResetGrad();
  }
  await trainer.release();
  return losses;
}

describe('artifact targets', () => {
  it('every target gives the same 20-step loss curve from one seed (AdamW, within 1e-5 per step)', async () => {
    const artifacts = generateArtifacts(buildSeedCnn({ seed: 4 }), { optimizer: 'adamw' });
    const curves = new Map<ArtifactTarget, number[]>();
    for (const target of TARGETS) curves.set(target, await lossCurve(artifacts, target, 20));
    const portable = curves.get('portable')!;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(portable.slice(15))).toBeLessThan(mean(portable.slice(0, 5)) - 0.3); // it really trains
    for (const target of TARGETS) {
      const curve = curves.get(target)!;
      curve.forEach((loss, i) => expect(Math.abs(loss - portable[i]), `${target} step ${i}`).toBeLessThanOrEqual(1e-5));
    }
  });

  it('the cpu target keeps the names and the checkpoint of the portable one, and records its target', () => {
    const portable = generateArtifacts(buildSeedCnn({ seed: 4 }), { optimizer: 'adamw' });
    const cpu = portable.forTarget('cpu');
    expect(cpu.target).toBe('cpu');
    expect(portable.forTarget('portable')).toBe(portable);
    for (const key of ['trainingModel', 'evalModel', 'optimizerModel'] as const) {
      const names = (a: TrainingArtifacts) => [a[key].graph.inputs.map((v) => v.name), a[key].graph.outputs.map((v) => v.name)];
      expect(names(cpu)).toEqual(names(portable));
      expect(cpu[key].metadata['onnxkit.target']).toBe('cpu');
      expect(portable[key].metadata['onnxkit.target']).toBe('portable');
      expect(cpu[key].metadata['onnxkit.generator']).toMatch(/^onnxkit-artifacts \d+$/);
    }
    expect(Buffer.from(cpu.checkpoint).equals(Buffer.from(portable.checkpoint))).toBe(true);
    const ops = (a: TrainingArtifacts) => new Set(a.trainingModel.graph.nodes.map((n) => n.opType));
    expect(ops(cpu).has('MaxUnpool')).toBe(true);
    expect(ops(portable).has('MaxUnpool')).toBe(false);
    expect(portable.trainingModel.graph.nodes.some((n) => n.opType === 'MaxPool' && n.outputs.length > 1)).toBe(false);
  });

  it('Trainer.create runs the cpu target on the CPU, also after falling back from auto, and moves checkpoints between targets', async () => {
    const artifacts = generateArtifacts(buildSeedCnn({ seed: 5 }), { optimizer: 'adamw' });
    const onCpu = await Trainer.create(artifacts, { device: 'cpu' });
    expect([onCpu.device, onCpu.target]).toEqual(['cpu', 'cpu']);
    const { inputs, labels } = batch(digits, 0, 8);
    await onCpu.trainStep(inputs, labels);
    await onCpu.optimizerStep({ learningRate: 1e-3 });
    const saved = await onCpu.saveCheckpoint();
    const before = (await onCpu.evalStep(inputs, labels)).loss;
    await onCpu.release();

    const auto = await Trainer.create(artifacts, { device: 'auto' });
    expect(auto.device).toBe('cpu');
    expect(auto.target).toBe('cpu');
    // The fallbacks of the first start (cuda, and webgpu without a hardware adapter) are still
    // reported after the restart with the cpu target.
    expect(auto.fallbacks.map((f) => f.device)).toContain('cuda');
    expect(auto.fallbacks.map((f) => f.device)).not.toContain('cpu');
    await auto.release();

    const portable = await Trainer.create(artifacts, { device: 'cpu', target: 'portable' });
    expect(portable.target).toBe('portable');
    await portable.loadCheckpoint(saved);
    expect(portable.step).toBe(1);
    expect(Math.abs((await portable.evalStep(inputs, labels)).loss - before)).toBeLessThan(1e-6);
    await portable.release();
  });

  it('Trainer.create accepts an inference model and generates the artifacts for its device', async () => {
    const trainer = await Trainer.create(buildSeedCnn({ seed: 6 }), { device: 'cpu', artifacts: { optimizer: 'sgd' } });
    expect(trainer.target).toBe('cpu');
    expect(trainer.parameters.map((p) => p.name)).toContain('conv1.weight');
    await trainer.release();
  });

  it('artifacts read from files run as they are; a named target they cannot meet is refused', async () => {
    const files = encodeArtifacts(generateArtifacts(buildSeedCnn({ seed: 7 }), { optimizer: 'sgd' }));
    const set = {
      trainingModel: files['training_model.onnx'],
      evalModel: files['eval_model.onnx'],
      optimizerModel: files['optimizer_model.onnx'],
      checkpoint: files.checkpoint,
    };
    const trainer = await Trainer.create(set, { device: 'cpu' });
    expect(trainer.target).toBe('portable');
    await trainer.release();
    await expect(Trainer.create(set, { device: 'cpu', target: 'cpu' })).rejects.toThrow(/formulated for target 'portable'.*\{ target: 'cpu' \}/);
    await expect(Trainer.create(set, { device: 'cpu', target: 'fast' as ArtifactTarget })).rejects.toThrow(RangeError);
    const cpuFiles = encodeArtifacts(generateArtifacts(buildSeedCnn({ seed: 7 }), { optimizer: 'sgd', target: 'cpu' }));
    expect(decodeModel(cpuFiles['training_model.onnx']).metadata['onnxkit.target']).toBe('cpu');
    expect(() => generateArtifacts(buildSeedCnn({ seed: 7 }), { target: 'gpu' as ArtifactTarget })).toThrow(/'target' must be one of 'portable', 'cpu'/);
  });
});

describe('Relu/MaxPool commutation (cpu target training graph)', () => {
  it('moves each Relu that feeds only a MaxPool after it, and leaves shared ones alone', () => {
    const model = buildSeedCnn({ seed: 1 });
    const graph = structuredClone(model.graph);
    expect(commuteReluMaxPool(graph)).toBe(2);
    const order = graph.nodes.map((n) => n.opType);
    expect(order.slice(0, 3)).toEqual(['Conv', 'MaxPool', 'Relu']);
    // A Relu output that is also a graph output is not moved.
    const shared = structuredClone(model.graph);
    const relu = shared.nodes.find((n) => n.opType === 'Relu')!;
    shared.outputs.push({ name: relu.outputs[0] });
    expect(commuteReluMaxPool(shared)).toBe(1);
  });
});

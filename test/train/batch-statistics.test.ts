import { describe, expect, it } from 'vitest';
import { createSession, decodeCheckpoint, encodeModel, generateArtifacts, oneHot, Trainer } from '@onnxkit/node';
import { loadBnTrainReference } from '../reference/torchvision-bn-train-fixture.js';
import { loadTorchvisionReference } from '../reference/torchvision-fixture.js';

/*
 * The Trainer with batchNorm 'train' (resnet18 of test/fixtures/torchvision, 64×64, batch 2): each
 * training step's updated running statistics feed the next step, land in the checkpoint and in the
 * exported model, and the eval graph reads them.
 */
const ref = loadTorchvisionReference('resnet18');
const bn = loadBnTrainReference(ref)!;
const labels = { data: oneHot(ref.labels, 10), dims: [ref.labels.length, 10] };
const inputs = { input: ref.input };
const cpu = { device: 'cpu' as const, intraOpNumThreads: 1 };

const byName = async (trainer: Trainer) => new Map((decodeCheckpoint(await trainer.saveCheckpoint()).buffers ?? []).map((t) => [t.name, t.data as Float32Array]));
const relDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
};

describe("Trainer with batchNorm 'train'", () => {
  it('feeds each step its running statistics, saves and exports them, and evaluates with them', async () => {
    const model = ref.model(17);
    const trainer = await Trainer.create(generateArtifacts(model, { optimizer: 'sgd', batchNorm: 'train' }), cpu);
    expect(trainer.dataInputs.map((d) => d.name)).toEqual(['input']);
    const initial = await byName(trainer);
    expect(initial.size).toBe(40);

    const first = await trainer.trainStep(inputs, labels);
    expect(Math.abs(first.loss - bn.loss) / bn.loss).toBeLessThan(1e-4);
    const once = await byName(trainer);
    // One forward pass: PyTorch's running statistics after model.train() on the same batch.
    for (const r of bn.running) expect(relDiff(once.get(r.name)!, r.values), r.name).toBeLessThan(1e-4);

    // The same batch and parameters again: the same batch statistics, folded into the fed-back values,
    // so running₂ − running₁ = m·(running₁ − running₀) with m = 0.9.
    const second = await trainer.trainStep(inputs, labels);
    expect(second.loss).toBeCloseTo(first.loss, 6);
    const twice = await byName(trainer);
    for (const [name, r1] of once) {
      const r0 = initial.get(name)!;
      const expected = Float32Array.from(r1, (v, i) => v + 0.9 * (v - r0[i]));
      expect(relDiff(twice.get(name)!, expected), name).toBeLessThan(1e-5);
    }

    // The eval graph normalizes with the running statistics: the exported model (which holds them)
    // gives the same outputs.
    const evaluated = await trainer.evalStep(inputs, labels);
    const exported = await trainer.exportModelForInference();
    const inits = new Map(exported.graph.initializers.map((t) => [t.name, t.data as Float32Array]));
    expect(inits.get('layer1.0.bn1.running_var')).toEqual(twice.get('layer1.0.bn1.running_var'));
    const session = await createSession(encodeModel(exported), cpu);
    const logits = (await session.run(inputs)).logits.data as Float32Array;
    expect(relDiff(logits, evaluated.outputs.logits.data as Float32Array)).toBeLessThan(1e-5);
    await session.release();

    // Undoing an update returns to the statistics current when it was applied.
    await trainer.optimizerStep({ learningRate: 1e-3 });
    await trainer.trainStep(inputs, labels);
    expect(relDiff((await byName(trainer)).get('bn1.running_mean')!, twice.get('bn1.running_mean')!)).toBeGreaterThan(1e-3);
    expect(trainer.restorePrevious()).toBe(true);
    expect((await byName(trainer)).get('bn1.running_mean')).toEqual(twice.get('bn1.running_mean'));

    // A checkpoint round trip keeps them; a checkpoint of frozen artifacts has none to load.
    const saved = await trainer.saveCheckpoint();
    await trainer.trainStep(inputs, labels);
    await trainer.loadCheckpoint(saved);
    expect((await byName(trainer)).get('bn1.running_var')).toEqual(twice.get('bn1.running_var'));
    const frozen = generateArtifacts(model, { optimizer: 'sgd' });
    await expect(trainer.loadCheckpoint(frozen.checkpoint)).rejects.toThrow(/running statistic 'bn1.running_mean' is missing/);
    await trainer.release();

    const frozenTrainer = await Trainer.create(frozen, cpu);
    await expect(frozenTrainer.loadCheckpoint(saved)).rejects.toThrow(/do not take \(their BatchNormalization is frozen\)/);
    await frozenTrainer.release();
  });
});

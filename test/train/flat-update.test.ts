import { describe, expect, it } from 'vitest';
import { buildSeedCnn, decodeCheckpoint, generateArtifacts, oneHot, selectExamples, Trainer, type OptimizerOptions } from '@onnxkit/node';
import { loadMnistDigits } from '../../packages/node/src/data/mnist-digits.js';

// On CPU tensors the Trainer runs the optimizer update over one flat buffer per quantity instead of the
// artifacts' per-parameter graph (trainer/optimizer-update.ts). The two must be the same update: these
// tests run both on the same batches and compare parameters, optimizer state and checkpoints.

const digits = loadMnistDigits({ perClass: 8 });
const cpu = { device: 'cpu' as const, intraOpNumThreads: 1 };

function batch(i: number, n = 16) {
  const b = selectExamples(digits, Array.from({ length: n }, (_, k) => (i * n + k * 7) % digits.count));
  return { inputs: { input: { data: b.images, dims: [n, 1, 28, 28] } }, labels: { data: oneHot(b.labels, 10), dims: [n, 10] } };
}

/** The same artifacts, but an optimizer graph that is not byte for byte onnxkit's: it runs as it is. */
function perParameterCopy(artifacts: ReturnType<typeof generateArtifacts>) {
  const optimizerModel = artifacts.optimizerModel;
  return { ...artifacts, optimizerModel: { ...optimizerModel, graph: { ...optimizerModel.graph, name: 'optimizer, edited' } } };
}

async function trainBoth(options: OptimizerOptions, steps: number) {
  const artifacts = generateArtifacts(buildSeedCnn({ seed: 3 }), options).forTarget('cpu');
  const flat = await Trainer.create(artifacts, cpu);
  const perParameter = await Trainer.create(perParameterCopy(artifacts), cpu);
  const losses: [number, number][] = [];
  for (let i = 0; i < steps; i++) {
    const { inputs, labels } = batch(i);
    const pair: number[] = [];
    for (const t of [flat, perParameter]) {
      pair.push((await t.trainStep(inputs, labels)).loss);
      await t.optimizerStep({ learningRate: 0.01 });
      t.lazyResetGrad();
    }
    losses.push(pair as [number, number]);
  }
  const checkpoints = [decodeCheckpoint(await flat.saveCheckpoint()), decodeCheckpoint(await perParameter.saveCheckpoint())];
  return { flat, perParameter, losses, checkpoints };
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('flat optimizer update', () => {
  const cases: [string, OptimizerOptions, number][] = [
    ['adamw', { optimizer: 'adamw' }, 0],
    ['adam with L2 and post decay', { optimizer: 'adam', weightDecay: 1e-3, postWeightDecay: 1e-4 }, 0],
    ['sgd with weight decay', { optimizer: 'sgd', weightDecay: 1e-3 }, 0],
    ['nesterov momentum with dampening', { optimizer: 'momentum', momentum: 0.8, dampening: 0.1, nesterov: true }, 0],
    ['adagrad with lr decay', { optimizer: 'adagrad', lrDecay: 0.01 }, 0],
    // One ReduceSum over every gradient instead of one per parameter: another summation order.
    ['adamw with gradient clipping', { optimizer: 'adamw', clipGradNorm: 0.5 }, 1e-6],
  ];
  for (const [what, options, tolerance] of cases) {
    it(`${what}: the same parameters, state and losses as the per-parameter graph after 4 steps`, async () => {
      const { flat, perParameter, losses, checkpoints } = await trainBoth(options, 4);
      expect(flat.optimizerLayout).toBe('flat');
      expect(perParameter.optimizerLayout).toBe('per-parameter');
      for (const [a, b] of losses) expect(Math.abs(a - b)).toBeLessThanOrEqual(tolerance * 10);
      const [a, b] = checkpoints;
      expect(a.step).toBe(4);
      expect(a.optimizerState.map((s) => s.name)).toEqual(b.optimizerState.map((s) => s.name));
      for (const [list, other] of [[a.parameters, b.parameters], [a.optimizerState, b.optimizerState]] as const) {
        list.forEach((t, i) => {
          expect(t.dims).toEqual(other[i].dims);
          expect(maxAbsDifference(t.data as Float32Array, other[i].data as Float32Array)).toBeLessThanOrEqual(tolerance);
        });
      }
      // The parameters moved: the comparison is not between two untouched copies.
      const initial = decodeCheckpoint(generateArtifacts(buildSeedCnn({ seed: 3 }), options).checkpoint);
      expect(maxAbsDifference(a.parameters[0].data as Float32Array, initial.parameters[0].data as Float32Array)).toBeGreaterThan(1e-4);
      await flat.release();
      await perParameter.release();
    });
  }

  it('restorePrevious, loadParameters and loadCheckpoint work on the flat buffers', async () => {
    const artifacts = generateArtifacts(buildSeedCnn({ seed: 3 }), { optimizer: 'adamw' });
    const trainer = await Trainer.create(artifacts, cpu);
    const step = async (i: number) => {
      const { inputs, labels } = batch(i);
      await trainer.trainStep(inputs, labels);
      await trainer.optimizerStep({ learningRate: 0.01 });
      trainer.lazyResetGrad();
    };
    await step(0);
    const saved = await trainer.saveCheckpoint();
    const before = await trainer.getContiguousParameters();
    await step(1);
    expect(maxAbsDifference(await trainer.getContiguousParameters(), before)).toBeGreaterThan(1e-5);
    expect(trainer.restorePrevious()).toBe(true);
    expect(await trainer.getContiguousParameters()).toEqual(before);
    // A step after the undo starts from the restored buffers, which later steps must not overwrite.
    await step(1);
    const afterRedo = await trainer.getContiguousParameters();
    await trainer.loadCheckpoint(saved);
    expect(await trainer.getContiguousParameters()).toEqual(before);
    await step(1);
    expect(await trainer.getContiguousParameters()).toEqual(afterRedo);
    await trainer.loadParameters(before);
    expect(await trainer.getContiguousParameters()).toEqual(before);
    await step(2);
    const after = await trainer.getContiguousParameters();
    expect(after.every(Number.isFinite)).toBe(true);
    expect(maxAbsDifference(after, before)).toBeGreaterThan(1e-5);
    await trainer.release();
  });
});

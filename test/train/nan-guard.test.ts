import { describe, expect, it } from 'vitest';
import {
  buildSeedCnn,
  Classifier,
  encodeModel,
  fit,
  generateArtifacts,
  GraphBuilder,
  oneHot,
  selectExamples,
  setPreprocessingSpec,
  Trainer,
  type ArtifactOptions,
  type ImageDataset,
} from '@onnxkit/node';
import { loadMnistDigits } from '../../packages/node/src/data/mnist-digits.js';

const digits = loadMnistDigits({ perClass: 8 });
/** Exactly one batch of 16: the first update is also the last. */
const oneBatch = selectExamples(digits, Array.from({ length: 16 }, (_, i) => (i * 5) % digits.count));
const cpu = { device: 'cpu' as const, intraOpNumThreads: 1 };

async function trainerFor(options: ArtifactOptions) {
  return Trainer.create(generateArtifacts(buildSeedCnn({ seed: 1 }), { trainable: ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'], ...options }), cpu);
}

async function lossOn(trainer: Trainer, ds: ImageDataset): Promise<number> {
  const { loss } = await trainer.evalStep({ input: { data: ds.images, dims: [ds.count, 1, 28, 28] } }, { data: oneHot(ds.labels, 10), dims: [ds.count, 10] });
  return loss;
}

describe('fit keeps good parameters when the loss blows up (finding 4)', () => {
  for (const [optimizer, learningRate] of [
    ['sgd', 1e30],
    ['adamw', 1e38],
  ] as const) {
    it(`a blow-up on the final update (${optimizer}, lr ${learningRate}, one batch) is caught and undone`, async () => {
      const trainer = await trainerFor({ optimizer });
      const before = await trainer.getContiguousParameters();
      const result = await fit(trainer, oneBatch, { epochs: 1, batchSize: 16, learningRate, seed: 1 });
      expect(result.stopReason).toBe('non-finite-loss');
      const after = await trainer.getContiguousParameters();
      expect(after.every(Number.isFinite)).toBe(true);
      // The only parameters measured sane are the ones the run started from.
      expect(Array.from(after)).toEqual(Array.from(before));
      await trainer.release();
    });
  }

  it('with sgd lr 1e6 the restored parameters are the last ones with a sane loss, not the blown-up ones', async () => {
    const trainer = await trainerFor({ optimizer: 'sgd' });
    const initial = await lossOn(trainer, oneBatch);
    const result = await fit(trainer, oneBatch, { epochs: 6, batchSize: 16, learningRate: 1e6, seed: 1 });
    expect(['non-finite-loss', 'diverged']).toContain(result.stopReason);
    const restored = await lossOn(trainer, oneBatch);
    expect(Number.isFinite(restored)).toBe(true);
    expect(restored).toBeLessThan(10 * Math.max(1, initial));
    await trainer.release();
  });

  it('a model with NaN weights makes classify throw instead of printing "0 NaN%"', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('X', 'float32', ['N', 1, 2, 2]);
    b.initializer('W', 'float32', [4, 3], new Float32Array(12).fill(Number.NaN));
    b.op('Flatten', ['X'], {}, { output: 'flat' });
    b.op('MatMul', ['flat', 'W'], {}, { output: 'scores' });
    b.output('scores', 'float32', ['N', 3]);
    const model = b.build();
    setPreprocessingSpec(model, { layout: 'NCHW', height: 2, width: 2, channels: 1, scale: [0, 1], polarity: 'any', procedure: 'resize' });
    const clf = await Classifier.load(encodeModel(model), { device: 'cpu' });
    await expect(clf.classify({ width: 2, height: 2, channels: 1, data: new Uint8Array(4).fill(9) })).rejects.toThrow(/non-finite score \(NaN\)/);
    await clf.dispose();
  });
});

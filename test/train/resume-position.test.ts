import { describe, expect, it } from 'vitest';
import { buildSeedCnn, fit, generateArtifacts, Trainer, type FitPosition } from '@onnxkit/node';
import { loadMnistDigits } from '../../packages/node/src/data/mnist-digits.js';

const digits = loadMnistDigits({ perClass: 4 });

describe('fit refuses a resume position that does not fit the run (finding 5)', () => {
  it('an epoch past the run, a batch past the epoch, or a malformed history is a RangeError', async () => {
    const trainer = await Trainer.create(generateArtifacts(buildSeedCnn({ seed: 1 }), { trainable: ['fc2.weight', 'fc2.bias'] }), { device: 'cpu' });
    const history = (n: number) => Array.from({ length: n }, (_, epoch) => ({ epoch, loss: 1, seconds: 0 }));
    const at = (p: Partial<FitPosition>): FitPosition => ({ seed: 0, epoch: 0, batch: 0, history: [], badEpochs: 0, lossSum: 0, lossCount: 0, ...p });
    const run = (resume: FitPosition) => fit(trainer, digits, { epochs: 2, batchSize: 16, resume });
    await expect(run(at({ epoch: 99, history: history(99) }))).rejects.toThrow(/'resume' is at epoch 99, past this run's 2 epochs/);
    await expect(run(at({ batch: 50, lossCount: 50 }))).rejects.toThrow(/batch 50 of epoch 0, but an epoch here has 3 batches/);
    await expect(run({ ...at({}), history: 'x' } as unknown as FitPosition)).rejects.toThrow(/'history' is not an array/);
    expect(trainer.step).toBe(0);
    await trainer.release();
  });
});

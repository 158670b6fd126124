import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildSeedCnn,
  decodeCheckpoint,
  GraphBuilder,
  generateArtifacts,
  oneHot,
  selectExamples,
  Trainer,
  type ImageDataset,
  type Model,
  type TrainingArtifacts,
} from '@onnxkit/node';
import { isBatchSeparable } from '../../packages/core/src/train/artifacts/batch-separable.js';
import { loadMnistDigits } from '../../packages/node/src/data/mnist-digits.js';

// Data-parallel replicas: slices of a batch trained at the same time on threads of their own must
// give the whole batch's loss and gradients, and be used only where that holds.
const digits = loadMnistDigits({ perClass: 12 });

function batch(ds: ImageDataset, step: number, n: number) {
  const b = selectExamples(ds, Array.from({ length: n }, (_, i) => ((step * n + i) * 7919) % ds.count));
  return { inputs: { input: { data: b.images, dims: [n, 1, 28, 28] } }, labels: { data: oneHot(b.labels, 10), dims: [n, 10] } };
}

async function train(artifacts: TrainingArtifacts, dataParallel: 'auto' | number, sizes: number[]) {
  const trainer = await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 2, dataParallel });
  const losses: number[] = [];
  for (const [s, n] of sizes.entries()) {
    const { inputs, labels } = batch(digits, s, n);
    trainer.lazyResetGrad();
    losses.push((await trainer.trainStep(inputs, labels)).loss);
    await trainer.optimizerStep({ learningRate: 2e-3 });
  }
  const params = await trainer.getContiguousParameters();
  const replicas = trainer.replicas;
  await trainer.release();
  return { losses, params, replicas };
}

/** A two-layer MLP on [N, 4] inputs whose middle can be swapped for an op under test. */
function mlp(middle: (b: GraphBuilder, x: string) => string): Model {
  const b = new GraphBuilder({ opset: 17 });
  const x = b.input('x', 'float32', ['N', 4]);
  b.initializer('w', 'float32', [4, 3], Float32Array.from({ length: 12 }, (_, i) => (i % 5) / 5 - 0.4));
  const h = middle(b, b.op('MatMul', [x, 'w']));
  b.output(b.op('Softmax', [h], { axis: 1 }, { output: 'probabilities' }), 'float32', ['N', 3]);
  return b.build();
}

describe('data-parallel replicas', () => {
  const artifacts = generateArtifacts(buildSeedCnn({ seed: 9 }), { optimizer: 'adamw' });

  it('train the seed CNN to the same losses and parameters as one session (even and uneven slices)', async () => {
    // SGD: the parameters move by lr × gradient, so they compare the gradients themselves.
    const sgd = generateArtifacts(buildSeedCnn({ seed: 9 }), { optimizer: 'sgd' });
    const sizes = [32, 33, 48, 17, 40, 12];
    const one = await train(sgd, 1, sizes);
    const two = await train(sgd, 2, sizes);
    // Three replicas on two threads: the sum over more than two slices (and 2 or 1 for the small batches).
    const three = await train(sgd, 3, sizes);
    expect(one.replicas).toBe(1);
    expect(two.replicas).toBe(2);
    expect(three.replicas).toBe(3);
    for (const other of [two, three]) {
      other.losses.forEach((l, i) => expect(Math.abs(l - one.losses[i]), `step ${i}`).toBeLessThanOrEqual(2e-6 * Math.max(1, one.losses[i])));
    }
    let worst = 0;
    let moved = 0;
    const start = await train(sgd, 1, []);
    for (let k = 0; k < one.params.length; k++) {
      worst = Math.max(worst, Math.abs(one.params[k] - two.params[k]), Math.abs(one.params[k] - three.params[k]));
      moved = Math.max(moved, Math.abs(one.params[k] - start.params[k]));
    }
    expect(moved).toBeGreaterThan(1e-3); // the steps really changed the parameters
    expect(worst).toBeLessThan(1e-6);
  });

  it('follow the same AdamW loss curve as one session (within 1e-5 per step)', async () => {
    const sizes = Array.from({ length: 12 }, (_, i) => 16 + 4 * (i % 5));
    const one = await train(artifacts, 1, sizes);
    const two = await train(artifacts, 2, sizes);
    two.losses.forEach((l, i) => expect(Math.abs(l - one.losses[i]), `step ${i}`).toBeLessThanOrEqual(1e-5));
  });

  it('reach the checkpoint one session reaches, their gradients summed inside the flat update', async () => {
    // AdamW: parameters and both moments after 6 steps, batches shared by 2 or 3 replicas or (12) not.
    const sizes = [32, 12, 48, 17, 64, 40];
    const checkpointOf = async (arts: TrainingArtifacts, dataParallel: number) => {
      const trainer = await Trainer.create(arts, { device: 'cpu', intraOpNumThreads: 2, dataParallel });
      for (const [s, n] of sizes.entries()) {
        const { inputs, labels } = batch(digits, s, n);
        trainer.lazyResetGrad();
        await trainer.trainStep(inputs, labels);
        await trainer.optimizerStep({ learningRate: 2e-3 });
      }
      const layout = trainer.optimizerLayout;
      const checkpoint = decodeCheckpoint(await trainer.saveCheckpoint());
      await trainer.release();
      return { layout, checkpoint };
    };
    const one = await checkpointOf(artifacts, 1);
    for (const replicas of [2, 3]) {
      const other = await checkpointOf(artifacts, replicas);
      expect([one.layout, other.layout]).toEqual(['flat', 'flat']);
      expect(other.checkpoint.step).toBe(sizes.length);
      // Differences relative to each tensor's largest magnitude: the moments follow the gradients (the
      // slices' sums round differently, 1e-5 here), and AdamW's m / √v magnifies that for the parameters
      // whose gradients are near 0 (8e-4 for conv2's weights over 3 uneven slices).
      const tolerances = [2e-3, 5e-5];
      for (const [k, [mine, theirs]] of ([[other.checkpoint.parameters, one.checkpoint.parameters], [other.checkpoint.optimizerState, one.checkpoint.optimizerState]] as const).entries()) {
        expect(mine.map((t) => t.name)).toEqual(theirs.map((t) => t.name));
        mine.forEach((t, i) => {
          const a = t.data as Float32Array;
          const b = theirs[i].data as Float32Array;
          let worst = 0;
          let scale = 0;
          for (let e = 0; e < a.length; e++) {
            worst = Math.max(worst, Math.abs(a[e] - b[e]));
            scale = Math.max(scale, Math.abs(b[e]));
          }
          expect(worst / scale, `${t.name} with ${replicas} replicas`).toBeLessThan(tolerances[k]);
        });
      }
    }
    // Gradient clipping by the norm over every parameter (active at 0.1) comes after the in-graph sum:
    // with SGD the parameters move by lr × the clipped gradient, so they compare it directly.
    const clipped = generateArtifacts(buildSeedCnn({ seed: 9 }), { optimizer: 'sgd', clipGradNorm: 0.1 });
    const [a, b] = [(await checkpointOf(clipped, 1)).checkpoint, (await checkpointOf(clipped, 2)).checkpoint];
    let worst = 0;
    a.parameters.forEach((t, i) => (t.data as Float32Array).forEach((v, e) => (worst = Math.max(worst, Math.abs(v - (b.parameters[i].data as Float32Array)[e])))));
    expect(worst).toBeLessThan(1e-6);
  });

  it('accumulate replicas\' and one session\'s gradients, and undo a step exactly', async () => {
    const sgd = generateArtifacts(buildSeedCnn({ seed: 9 }), { optimizer: 'sgd' });
    const run = async (dataParallel: number) => {
      const trainer = await Trainer.create(sgd, { device: 'cpu', intraOpNumThreads: 2, dataParallel });
      // 32 (replicas) + 12 (one session) + 40 (replicas), accumulated into one update.
      for (const [s, n] of [32, 12, 40].entries()) {
        const { inputs, labels } = batch(digits, s, n);
        await trainer.trainStep(inputs, labels);
      }
      await trainer.optimizerStep({ learningRate: 0.05 });
      const before = await trainer.saveCheckpoint();
      trainer.lazyResetGrad();
      const { inputs, labels } = batch(digits, 7, 48);
      await trainer.trainStep(inputs, labels);
      await trainer.optimizerStep({ learningRate: 0.05 });
      expect(trainer.restorePrevious()).toBe(true);
      const restored = await trainer.saveCheckpoint();
      const params = await trainer.getContiguousParameters();
      await trainer.release();
      return { before, restored, params };
    };
    const one = await run(1);
    const two = await run(2);
    // restorePrevious gives back the checkpoint of before the step, byte for byte.
    expect(Buffer.from(two.restored).equals(Buffer.from(two.before))).toBe(true);
    let worst = 0;
    for (let k = 0; k < one.params.length; k++) worst = Math.max(worst, Math.abs(one.params[k] - two.params[k]));
    expect(worst).toBeLessThan(1e-6);
    const initial = decodeCheckpoint(sgd.checkpoint).parameters[0].data as Float32Array;
    expect(Math.abs(two.params[0] - initial[0]) + Math.abs(two.params[5] - initial[5])).toBeGreaterThan(1e-5);
  });

  it("'auto' uses one replica per intra-op thread on the CPU; artifacts record independent samples", async () => {
    expect(artifacts.trainingModel.metadata['onnxkit.samples']).toBe('independent');
    const trainer = await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 2 });
    expect(trainer.replicas).toBe(2);
    await trainer.release();
    const single = await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 1 });
    expect(single.replicas).toBe(1);
    await single.release();
  });

  it('are refused, with the reason, where samples are not independent', async () => {
    // A Reshape to [1, -1] puts the whole batch in one row: the loss couples the samples.
    const coupled = mlp((b, h) => b.op('Reshape', [b.op('Reshape', [h, b.constant('flat', 'int64', [2], [1, -1])]), b.constant('back', 'int64', [2], [-1, 3])]));
    const arts = generateArtifacts(coupled, { optimizer: 'sgd' });
    expect(arts.trainingModel.metadata['onnxkit.samples']).toBeUndefined();
    await expect(Trainer.create(arts, { device: 'cpu', intraOpNumThreads: 2, dataParallel: 2 })).rejects.toThrow(
      /dataParallel 2 is not possible here: the training model does not keep the samples of a batch apart/,
    );
    const auto = await Trainer.create(arts, { device: 'cpu', intraOpNumThreads: 2 });
    expect(auto.replicas).toBe(1);
    await auto.release();
    for (const bad of [0, 1.5, -2, 'two']) {
      await expect(Trainer.create(artifacts, { device: 'cpu', dataParallel: bad as number })).rejects.toThrow(RangeError);
    }
  });

  it('the separability table: ops that mix samples make a graph not separable', () => {
    const separable = (m: Model) => isBatchSeparable(m.graph, () => 2);
    expect(separable(mlp((_b, h) => h))).toBe(true);
    expect(separable(mlp((b, h) => b.op('Relu', [b.op('Transpose', [h], { perm: [0, 1] })])))).toBe(true);
    expect(separable(mlp((b, h) => b.op('Transpose', [b.op('Transpose', [h], { perm: [1, 0] })], { perm: [1, 0] })))).toBe(false);
    expect(separable(mlp((b, h) => b.op('Softmax', [h], { axis: 0 })))).toBe(false);
    expect(separable(mlp((b, h) => b.op('Softmax', [h], { axis: -2 })))).toBe(false);
    expect(separable(mlp((b, h) => b.op('Sub', [h, b.op('ReduceMean', [h], { axes: [0], keepdims: 1 })])))).toBe(false);
    expect(separable(mlp((b, h) => b.op('Sub', [h, b.op('ReduceMean', [h], { axes: [1], keepdims: 1 })])))).toBe(true);
    expect(separable(mlp((b, h) => b.op('Concat', [h, h], { axis: 0 })))).toBe(false);
    expect(separable(mlp((b, h) => b.op('Flatten', [h], { axis: 0 })))).toBe(false);
    expect(separable(mlp((b, h) => b.op('Loop', [h])))).toBe(false);
  });

  it('a process that never releases its Trainer still exits (idle replica threads hold nothing open)', () => {
    const script = [
      "import { buildSeedCnn, generateArtifacts, Trainer } from '@onnxkit/node';",
      "const t = await Trainer.create(generateArtifacts(buildSeedCnn()), { device: 'cpu', intraOpNumThreads: 2, dataParallel: 2 });",
      'const x = new Float32Array(32 * 784).fill(0.5); const y = new Float32Array(320); for (let i = 0; i < 32; i++) y[i * 10 + (i % 10)] = 1;',
      "const { loss } = await t.trainStep({ input: { data: x, dims: [32, 1, 28, 28] } }, { data: y, dims: [32, 10] });",
      "console.log('loss', loss.toFixed(4), 'replicas', t.replicas);",
    ].join('\n');
    // From the package's own folder the script imports the built package by name (a self-reference).
    const root = path.resolve(__dirname, '../../packages/node');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.signal, run.stderr).toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/loss \d+\.\d{4} replicas 2/);
  });
});

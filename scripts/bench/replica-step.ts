// Where a data-parallel Trainer step goes on 2 threads: the seed CNN's step redone with bare ORT piece
// by piece, alternating with the Trainer itself in one process (docs/BENCHMARKS.md, "Training: what was
// changed for speed, and what is left"):
//
//   pnpm tsx scripts/bench/replica-step.ts [--batch 64] [--repeats 7] [--steps 8]
//
//   replicas   the replicas' training graph (the `cpu` graph with one flat gradient output) on a
//              worker-thread session and a calling-thread session at once, each on half the batch, the
//              worker's parameters copied into one buffer moved there and back; parameters fixed (the
//              cores' ceiling for the replicas)
//   + tail     the same, then the flat AdamW graph that sums the two gradients inside it, on the calling
//              thread with 2 intra-op threads, its outputs fed to the next step (what the Trainer does,
//              without the Trainer's own code)
//   Trainer    `Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 2, interOpNumThreads: 1 })`
// Medians of `--repeats` blocks of `--steps` timed steps after 3 warm-up ones; the tail is timed on its
// own too.
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { buildSeedCnn, decodeCheckpoint, encodeModel, generateArtifacts, loadMnistDigits, nodeRuntime, oneHot, Trainer } from '@onnxkit/node';
import { buildSummedGradientUpdate, gradientPartName, gradientWeightName } from '../../packages/core/src/train/optimizers/build-optimizer.js';
import { resolveOptimizerOptions } from '../../packages/core/src/train/optimizers/options.js';
import { FLAT_GRADIENT, flatGradientModel } from '../../packages/core/src/train/trainer/replica-model.js';
import { loadAverage, median } from './measure.js';

const { values } = parseArgs({ options: { batch: { type: 'string', default: '64' }, repeats: { type: 'string', default: '7' }, steps: { type: 'string', default: '8' } } });
const batch = Number(values.batch);
const half = Math.round(batch / 2);
const portable = generateArtifacts(buildSeedCnn({ seed: 0 }), { optimizer: 'adamw' });
const artifacts = portable.forTarget('cpu');
// The Trainer's session defaults (trainer/session-defaults.ts).
const options = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, enableMemPattern: false, extra: { session: { intra_op: { allow_spinning: '0' } } } };
const checkpoint = decodeCheckpoint(artifacts.checkpoint);
const training = flatGradientModel(artifacts.trainingModel, checkpoint.parameters);
const worker = await nodeRuntime.createWorkerSession!(training, options);
const own = await ort.InferenceSession.create(training, options);
const total = checkpoint.parameters.reduce((n, p) => n + (p.data as Float32Array).length, 0);
const flatUpdate = buildSummedGradientUpdate([{ name: 'parameters', dtype: 'float32', dims: [total] }], resolveOptimizerOptions({ optimizer: 'adamw' }), 2).model;
const optimizer = await ort.InferenceSession.create(encodeModel(flatUpdate), { ...options, intraOpNumThreads: 2 });
// Parameters and AdamW moments as flat buffers (the Trainer keeps views of such buffers).
let params: Float32Array = new Float32Array(total);
checkpoint.parameters.reduce((at, p) => (params.set(p.data as Float32Array, at), at + (p.data as Float32Array).length), 0);
let moments: Float32Array[] = [new Float32Array(total), new Float32Array(total)];
const fixed = params;
let mail: Float32Array = new Float32Array(total);
const byName = (flat: Float32Array) => {
  let at = 0;
  return Object.fromEntries(checkpoint.parameters.map((p) => [p.name, new ort.Tensor('float32', flat.subarray(at, (at += (p.data as Float32Array).length)), p.dims)]));
};
const trainer = await Trainer.create(portable, { device: 'cpu', intraOpNumThreads: 2, interOpNumThreads: 1 });
const data = loadMnistDigits();
const tail: number[] = [];
let step = 0;

const rows = (start: number, from: number, to: number) => ({
  input: new ort.Tensor('float32', data.images.slice((start + from) * 784, (start + to) * 784), [to - from, 1, 28, 28]),
  labels: new ort.Tensor('float32', oneHot(data.labels.subarray(start + from, start + to), 10), [to - from, 10]),
});
const startOf = (i: number) => (i * batch) % (data.count - batch);

async function replicas(i: number, withTail: boolean): Promise<void> {
  const start = startOf(i);
  const p = withTail ? params : fixed;
  mail.set(p);
  const away = worker.runMoving({ ...rows(start, 0, half), ...byName(mail) });
  const mine = await own.run({ ...rows(start, half, batch), ...byName(p) });
  const { outputs: theirs, feeds: back } = await away;
  mail = new Float32Array((back[checkpoint.parameters[0].name].data as Float32Array).buffer);
  if (!withTail) return;
  const t0 = performance.now();
  const flat = (data: Float32Array) => new ort.Tensor('float32', data, [total]);
  const scalar = (v: number) => new ort.Tensor('float32', Float32Array.of(v), []);
  const out = await optimizer.run({
    learning_rate: scalar(1e-3),
    step: scalar(step++),
    parameters: flat(params),
    'parameters.m': flat(moments[0]),
    'parameters.v': flat(moments[1]),
    [gradientPartName('parameters', 0)]: flat(theirs[FLAT_GRADIENT].data as Float32Array),
    [gradientPartName('parameters', 1)]: flat(mine[FLAT_GRADIENT].data as Float32Array),
    [gradientWeightName(0)]: scalar(half / batch),
    [gradientWeightName(1)]: scalar(1 - half / batch),
  });
  tail.push(performance.now() - t0);
  params = out['parameters.new'].data as Float32Array;
  moments = [out['parameters.m.new'].data as Float32Array, out['parameters.v.new'].data as Float32Array];
}

async function trainerStep(i: number): Promise<void> {
  const start = startOf(i);
  await trainer.trainStep({ input: { data: data.images.slice(start * 784, (start + batch) * 784), dims: [batch, 1, 28, 28] } }, { data: oneHot(data.labels.subarray(start, start + batch), 10), dims: [batch, 10] });
  await trainer.optimizerStep({ learningRate: 1e-3 });
  trainer.lazyResetGrad();
}

const sides: Record<string, (i: number) => Promise<void>> = { replicas: (i) => replicas(i, false), '+ tail': (i) => replicas(i, true), Trainer: trainerStep };
const perStep: Record<string, number[]> = {};
const load = loadAverage();
for (let r = 0; r < Number(values.repeats); r++) {
  for (const [name, run] of Object.entries(sides)) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < 3; i++) await run(i);
    const t0 = performance.now();
    for (let i = 0; i < Number(values.steps); i++) await run(r * Number(values.steps) + i);
    (perStep[name] ??= []).push((performance.now() - t0) / Number(values.steps));
  }
}
console.log(`batch ${batch}, 2 threads; load ${load.join(' / ')} before, ${loadAverage().join(' / ')} after; ms per step, median of ${values.repeats}`);
for (const [name, v] of Object.entries(perStep)) console.log(`${name.padEnd(9)} ${median(v).toFixed(2)}  (${v.map((x) => x.toFixed(1)).join(' ')})`);
console.log(`tail: the flat AdamW graph with the gradient sum inside ${median(tail).toFixed(2)} ms`);
await trainer.release();
await worker.release();

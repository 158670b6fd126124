// Where a data-parallel Trainer step goes on 2 threads: the seed CNN's step redone with bare ORT piece
// by piece, alternating with the Trainer itself in one process (docs/BENCHMARKS.md, "Training: what was
// changed for speed, and what is left"):
//
//   pnpm tsx scripts/bench/replica-step.ts [--batch 64] [--repeats 7] [--steps 8]
//
//   replicas   the `cpu` training graph on a worker-thread session and a calling-thread session at once,
//              each on half the batch, parameters fixed (the cores' ceiling for the replicas)
//   + tail     the same, then the size-weighted gradient sum and the AdamW optimizer graph on the calling
//              thread, its outputs fed to the next step (what the Trainer does, without onnxkit's code)
//   Trainer    `Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 2, interOpNumThreads: 1 })`
// Medians of `--repeats` blocks of `--steps` timed steps after 3 warm-up ones; the tail's two parts are
// timed on their own too.
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { buildSeedCnn, decodeCheckpoint, encodeModel, generateArtifacts, loadMnistDigits, nodeRuntime, oneHot, Trainer } from '@onnxkit/node';
import { loadAverage, median } from './measure.js';

const { values } = parseArgs({ options: { batch: { type: 'string', default: '64' }, repeats: { type: 'string', default: '7' }, steps: { type: 'string', default: '8' } } });
const batch = Number(values.batch);
const half = Math.round(batch / 2);
const portable = generateArtifacts(buildSeedCnn({ seed: 0 }), { optimizer: 'adamw' });
const artifacts = portable.forTarget('cpu');
// The Trainer's session defaults (trainer/session-defaults.ts).
const options = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, enableMemPattern: false, extra: { session: { intra_op: { allow_spinning: '0' } } } };
const training = encodeModel(artifacts.trainingModel);
const worker = await nodeRuntime.createWorkerSession!(training, options);
const own = await ort.InferenceSession.create(training, options);
const optimizer = await ort.InferenceSession.create(encodeModel(artifacts.optimizerModel), { ...options, intraOpNumThreads: 2 });
const checkpoint = decodeCheckpoint(artifacts.checkpoint);
const tensors = (list: typeof checkpoint.parameters) =>
  Object.fromEntries(list.map((t) => [t.name, new ort.Tensor('float32', (t.data as Float32Array).slice(), t.dims)]));
let params: Record<string, ort.Tensor> = tensors(checkpoint.parameters);
let state: Record<string, ort.Tensor> = tensors(checkpoint.optimizerState);
const fixed = params;
const trainer = await Trainer.create(portable, { device: 'cpu', intraOpNumThreads: 2, interOpNumThreads: 1 });
const data = loadMnistDigits();
const tail = { sum: [] as number[], optimizer: [] as number[] };
let step = 0;

const rows = (start: number, from: number, to: number) => ({
  input: new ort.Tensor('float32', data.images.slice((start + from) * 784, (start + to) * 784), [to - from, 1, 28, 28]),
  labels: new ort.Tensor('float32', oneHot(data.labels.subarray(start + from, start + to), 10), [to - from, 10]),
});
const startOf = (i: number) => (i * batch) % (data.count - batch);

async function replicas(i: number, withTail: boolean): Promise<void> {
  const start = startOf(i);
  const p = withTail ? params : fixed;
  const [a, b] = await Promise.all([worker.run({ ...rows(start, 0, half), ...p }), own.run({ ...rows(start, half, batch), ...p })]);
  if (!withTail) return;
  const t0 = performance.now();
  const wa = half / batch;
  const feeds: Record<string, ort.Tensor> = {
    learning_rate: new ort.Tensor('float32', Float32Array.of(1e-3), []),
    step: new ort.Tensor('float32', Float32Array.of(step++), []),
    ...state,
  };
  for (const name of Object.keys(params)) {
    const ga = a[`${name}_grad`].data as Float32Array;
    const gb = b[`${name}_grad`].data as Float32Array;
    for (let k = 0; k < ga.length; k++) ga[k] = wa * ga[k] + (1 - wa) * gb[k];
    feeds[name] = params[name];
    feeds[`${name}_grad`] = new ort.Tensor('float32', ga, params[name].dims);
  }
  const t1 = performance.now();
  const out = await optimizer.run(feeds);
  tail.sum.push(t1 - t0);
  tail.optimizer.push(performance.now() - t1);
  params = Object.fromEntries(Object.keys(params).map((n) => [n, out[`${n}.new`]]));
  state = Object.fromEntries(Object.keys(state).map((n) => [n, out[`${n}.new`]]));
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
console.log(`tail: gradient sum ${median(tail.sum).toFixed(2)} ms, optimizer graph ${median(tail.optimizer).toFixed(2)} ms`);
await trainer.release();
await worker.release();

// The Trainer's optimizer update over flat buffers (trainer/optimizer-update.ts) against the artifacts'
// per-parameter optimizer graph (docs/BENCHMARKS.md, "Training: what was changed for speed, and what is
// left"):
//
//   pnpm tsx scripts/bench/optimizer-update.ts [--batch 64] [--threads 2] [--repeats 9] [--steps 16] [--parts graphs,trainer]
//        [--model FILE.onnx] [--learning-rate 1e-3]
//
// graphs: the AdamW optimizer graph alone on bare ORT (1 thread), per parameter (as in the artifacts) and
// flat (one parameter of all the elements), alternating, median of 25 runs each, for the seed CNN's
// parameters and for torchvision's mobilenet_v2 (shapes from /usr/bin/python3 with torchvision; skipped
// without it).
// trainer: two seed-CNN Trainers in this process on the same `cpu` artifacts: one as the public path makes it (`optimizerLayout: 'flat'`),
// one whose optimizer graph was edited (its graph renamed), which the Trainer then runs as it is
// ('per-parameter'). Both take the same batches (trainStep + optimizerStep + lazyResetGrad); blocks of
// `--steps` timed steps after 3 warm-up ones alternate between them (which goes first alternates too).
// Prints the median ms per step of each, their ratio, and the largest difference between the two
// Trainers' parameters at the end (0 when the updates are bit-identical).
// --model: the trainer part on that model instead of the seed CNN (AdamW artifacts, `cpu` target; a fixed
// input of `--batch` samples and one-hot labels, the same every step), e.g. the mobilenet_v2 that
// `python3 scripts/bench/torch_mobilenet_training.py export FILE 128` writes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { buildOptimizerModel, buildSeedCnn, decodeCheckpoint, decodeModel, encodeModel, generateArtifacts, loadMnistDigits, oneHot, Trainer, type FeedValue } from '@onnxkit/node';
import { loadAverage, machineInfo, median, timeSteps } from './measure.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    threads: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '9' },
    steps: { type: 'string', default: '16' },
    parts: { type: 'string', default: 'graphs,trainer' },
    model: { type: 'string' },
    'learning-rate': { type: 'string', default: '1e-3' },
  },
});
const parts = values.parts.split(',');
const m = machineInfo();
console.log(`${m.nproc} cores, ${m.cpu}, Node ${m.node}`);
const [batch, threads, repeats, steps] = [values.batch, values.threads, values.repeats, values.steps].map(Number);
const cpu = generateArtifacts(buildSeedCnn({ seed: 0 }), { optimizer: 'adamw' }).forTarget('cpu');
if (parts.includes('graphs')) {
  const seedShapes = decodeCheckpoint(cpu.checkpoint).parameters.map((p) => [...p.dims]);
  await compareGraphs('seed CNN', seedShapes);
  const mobilenet = mobilenetShapes();
  if (mobilenet) await compareGraphs('mobilenet_v2', mobilenet);
  else console.log('graphs: mobilenet_v2 skipped (no torchvision for /usr/bin/python3)');
}
if (parts.includes('trainer')) await compareTrainers();

/** The AdamW graph per parameter and flat, bare ORT on one thread, alternating; prints the medians. */
async function compareGraphs(what: string, shapes: number[][]): Promise<void> {
  const sizes = shapes.map((d) => d.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const options = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, enableMemPattern: false, extra: { session: { intra_op: { allow_spinning: '0' } } } };
  const values = { x: Float32Array.from({ length: total }, (_, i) => Math.sin(i)), g: Float32Array.from({ length: total }, (_, i) => Math.cos(i) * 0.01), m: new Float32Array(total), v: new Float32Array(total) };
  const scalar = (s: number) => new ort.Tensor('float32', Float32Array.of(s), []);
  const runner = async (params: { name: string; dims: number[] }[]) => {
    const model = buildOptimizerModel(params.map((p) => ({ ...p, dtype: 'float32' as const })), { optimizer: 'adamw' }).model;
    const session = await ort.InferenceSession.create(encodeModel(model), options);
    return async (step: number) => {
      const feeds: Record<string, ort.Tensor> = { learning_rate: scalar(1e-3), step: scalar(step) };
      let offset = 0;
      for (const p of params) {
        const n = p.dims.reduce((a, b) => a * b, 1);
        const view = (a: Float32Array) => new ort.Tensor('float32', a.subarray(offset, offset + n), p.dims);
        Object.assign(feeds, { [p.name]: view(values.x), [`${p.name}_grad`]: view(values.g), [`${p.name}.m`]: view(values.m), [`${p.name}.v`]: view(values.v) });
        offset += n;
      }
      await session.run(feeds);
    };
  };
  const perParameter = await runner(shapes.map((dims, i) => ({ name: `p${i}`, dims })));
  const flat = await runner([{ name: 'all', dims: [total] }]);
  const ms = { perParameter: [] as number[], flat: [] as number[] };
  for (let i = 0; i < 25; i++) {
    for (const [which, run] of (i % 2 ? [['flat', flat], ['perParameter', perParameter]] : [['perParameter', perParameter], ['flat', flat]]) as [keyof typeof ms, typeof flat][]) {
      const t0 = performance.now();
      await run(i);
      ms[which].push(performance.now() - t0);
    }
  }
  console.log(
    `graphs: ${what} (${shapes.length} parameters, ${total.toLocaleString('en')} elements), AdamW, 1 thread: per-parameter ${median(ms.perParameter).toFixed(2)} ms, ` +
      `flat ${median(ms.flat).toFixed(2)} ms (per-parameter / flat ${(median(ms.perParameter) / median(ms.flat)).toFixed(2)})`,
  );
}

/** mobilenet_v2's parameter shapes (num_classes 10) from torchvision, or undefined without it. */
function mobilenetShapes(): number[][] | undefined {
  const script = 'import json, torchvision; print(json.dumps([list(p.shape) for p in torchvision.models.mobilenet_v2(num_classes=10).parameters()]))';
  try {
    return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as number[][];
  } catch {
    return undefined;
  }
}

/** The Trainer with its flat update against one running the artifacts' per-parameter graph. */
async function compareTrainers(): Promise<void> {
  const artifacts = values.model ? generateArtifacts(decodeModel(readFileSync(values.model)), { optimizer: 'adamw' }).forTarget('cpu') : cpu;
  const edited = { ...artifacts, optimizerModel: { ...artifacts.optimizerModel, graph: { ...artifacts.optimizerModel.graph, name: 'optimizer (edited)' } } };
  const options = { device: 'cpu' as const, intraOpNumThreads: threads, interOpNumThreads: 1 };
  const trainers = { flat: await Trainer.create(artifacts, options), perParameter: await Trainer.create(edited, options) };
  if (trainers.flat.optimizerLayout !== 'flat' || trainers.perParameter.optimizerLayout !== 'per-parameter') {
    throw new Error(`unexpected layouts: ${trainers.flat.optimizerLayout}, ${trainers.perParameter.optimizerLayout}`);
  }
  const batchOf = values.model ? fixedBatch(trainers.flat) : digitBatch();
  const step = (trainer: Trainer) => async (i: number) => {
    const { inputs, labels } = batchOf(i);
    await trainer.trainStep(inputs, labels);
    await trainer.optimizerStep({ learningRate: Number(values['learning-rate']) });
    trainer.lazyResetGrad();
  };

  const loadBefore = loadAverage();
  const ms = { flat: [] as number[], perParameter: [] as number[] };
  for (let r = 0; r < repeats; r++) {
    const order = r % 2 === 0 ? (['flat', 'perParameter'] as const) : (['perParameter', 'flat'] as const);
    for (const which of order) ms[which].push(((await timeSteps(step(trainers[which]), 3, steps)).seconds * 1000) / steps);
  }
  const [a, b] = await Promise.all([trainers.flat.getContiguousParameters(), trainers.perParameter.getContiguousParameters()]);
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  console.log(
    `trainer (${values.model ?? 'seed CNN'}): load ${loadBefore.join(' / ')} before, ${loadAverage().join(' / ')} after; batch ${batch}, ${threads} thread(s), median of ${repeats} blocks of ${steps} steps: flat ${median(ms.flat).toFixed(2)} ms, ` +
      `per-parameter ${median(ms.perParameter).toFixed(2)} ms per step (per-parameter / flat ${(median(ms.perParameter) / median(ms.flat)).toFixed(3)}); ` +
      `largest parameter difference after ${trainers.flat.step} steps: ${worst}`,
  );
  await Promise.all([trainers.flat.release(), trainers.perParameter.release()]);
}

type Batch = { inputs: Record<string, FeedValue>; labels: FeedValue };

/** Consecutive batches of the real digits, as fit() makes them (the seed CNN). */
function digitBatch(): (i: number) => Batch {
  const data = loadMnistDigits();
  return (i) => {
    const start = (i * batch) % (data.count - batch);
    return {
      inputs: { input: { data: data.images.slice(start * 784, (start + batch) * 784), dims: [batch, 1, 28, 28] } },
      labels: { data: oneHot(data.labels.subarray(start, start + batch), 10), dims: [batch, 10] },
    };
  };
}

/** One fixed batch for a model given by --model: deterministic inputs, labels cycling through the classes. */
function fixedBatch(trainer: Trainer): (i: number) => Batch {
  const [input] = trainer.dataInputs;
  const classes = trainer.labelWidth;
  if (!input || trainer.dataInputs.length !== 1 || classes === undefined) throw new Error('--model: needs one float input and a static number of classes');
  const dims = input.shape.map((d, k) => (k === 0 ? batch : typeof d === 'number' ? d : 1));
  const size = dims.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: size }, (_, k) => Math.sin(k));
  const labels = oneHot(Uint8Array.from({ length: batch }, (_, k) => k % classes), classes);
  const fixed: Batch = { inputs: { [input.name]: { data, dims } }, labels: { data: labels, dims: [batch, classes] } };
  return () => fixed;
}

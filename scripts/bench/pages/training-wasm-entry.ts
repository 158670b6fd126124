/**
 * Page side of scripts/bench/training-wasm.ts: the seed CNN trained with AdamW by the `@onnxkit/web/wasm`
 * Trainer (device 'wasm', artifact targets 'portable' and 'cpu') and by TF.js 4.22 on its `cpu` backend,
 * the same network and the same batches of real digits, in one page.
 *
 * On load it checks that the cpu target runs on ORT's WASM provider (one step of each target from the
 * same checkpoint must agree) and reports the page's setup through `report()`; then the script calls
 * `globalThis.__trainingWasmBench.run(side, batch, warmup, steps, offset)` once per measurement, so that
 * it can interleave the sides repeat by repeat.
 */
import * as tf from '@tensorflow/tfjs';
import {
  buildSeedCnn,
  configureWeb,
  getRuntime,
  generateArtifacts,
  oneHot,
  permutation,
  Random,
  selectExamples,
  Trainer,
  type ArtifactTarget,
  type ImageDataset,
  type TrainingArtifacts,
} from '@onnxkit/web/wasm';
import { mnistDigits, ortFilesLoaded } from '../../../packages/testkit/src/web-digits.js';
import { report, served } from '../../../packages/testkit/src/page-api.js';

/** Learning rate and AdamW hyper-parameters (onnxkit's adamw defaults, PyTorch's AdamW). */
const LR = 1e-3;
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;
const WEIGHT_DECAY = 0.01;
const PER_CLASS = 100;
const PIXELS = 784;

/** The sides the script measures. */
export type Side = 'portable' | 'cpu' | 'tfjs';

/** What the page reports once it is ready. */
export interface PageSetup {
  userAgent: string;
  crossOriginIsolated: boolean;
  /** `ort.env.wasm.numThreads` after the first session started. */
  wasmThreads: number;
  /** ORT files the page fetched (which .wasm build ran). */
  ortFiles: string[];
  tfjs: { version: string; backend: string };
  digits: number;
  /** Op types of the cpu target's training graph that the portable one lacks. */
  cpuOnlyOps: string[];
  /** One step of each target from the same checkpoint on the same batch. */
  check: { targets: string[]; devices: string[]; loss: number[]; maxParamDiff: number; nextLoss: number[] };
}

/** The same digits in the same shuffled order for every side; batch i is a slice, as fit() copies it. */
function batchAt(data: ImageDataset, batch: number, i: number): { images: Float32Array; labels: Float32Array } {
  const start = (i * batch) % (data.count - batch);
  return {
    images: data.images.slice(start * PIXELS, (start + batch) * PIXELS),
    labels: oneHot(data.labels.subarray(start, start + batch), 10),
  };
}

/** The op types a model's graph uses. */
const opTypes = (a: TrainingArtifacts): Set<string> => new Set(a.trainingModel.graph.nodes.map((n) => n.opType));

async function onnxkitStep(trainer: Trainer, b: { images: Float32Array; labels: Float32Array }, batch: number): Promise<number> {
  const { loss } = await trainer.trainStep({ input: { data: b.images, dims: [batch, 1, 28, 28] } }, { data: b.labels, dims: [batch, 10] });
  await trainer.optimizerStep({ learningRate: LR });
  trainer.lazyResetGrad();
  return loss;
}

/**
 * The seed CNN in TF.js, NHWC (for one channel the same bytes as NCHW): conv 32/64/64 3×3 valid + relu,
 * maxpool 2×2 after the first two, dense 64 relu, dense 10, softmax cross-entropy; Adam with AdamW's
 * decoupled weight decay applied to every variable after each update (x ← x·(1 − lr·wd)), as onnxkit's
 * adamw does.
 */
class TfjsSeedCnn {
  readonly #conv: [tf.Variable<tf.Rank.R4>, tf.Variable<tf.Rank.R1>][];
  readonly #dense: [tf.Variable<tf.Rank.R2>, tf.Variable<tf.Rank.R1>][];
  readonly #vars: tf.Variable[];
  readonly #optimizer = tf.train.adam(LR, BETA1, BETA2, EPSILON);
  readonly #decay = tf.scalar(1 - LR * WEIGHT_DECAY);

  constructor(seed: number) {
    let s = seed;
    const glorot = <R extends tf.Rank>(shape: number[]) => tf.variable(tf.initializers.glorotUniform({ seed: ++s }).apply(shape) as tf.Tensor<R>);
    const zeros = (n: number) => tf.variable(tf.zeros([n]) as tf.Tensor1D);
    this.#conv = [
      [glorot<tf.Rank.R4>([3, 3, 1, 32]), zeros(32)],
      [glorot<tf.Rank.R4>([3, 3, 32, 64]), zeros(64)],
      [glorot<tf.Rank.R4>([3, 3, 64, 64]), zeros(64)],
    ];
    this.#dense = [
      [glorot<tf.Rank.R2>([576, 64]), zeros(64)],
      [glorot<tf.Rank.R2>([64, 10]), zeros(10)],
    ];
    this.#vars = [...this.#conv.flat(), ...this.#dense.flat()];
  }

  #logits(x: tf.Tensor4D): tf.Tensor2D {
    const conv = (h: tf.Tensor4D, [w, b]: [tf.Tensor4D, tf.Tensor1D]) => tf.relu(tf.add<tf.Tensor4D>(tf.conv2d(h, w, 1, 'valid'), b));
    const pool = (h: tf.Tensor4D) => tf.maxPool(h, 2, 2, 'valid');
    const [c1, c2, c3] = this.#conv;
    const [d1, d2] = this.#dense;
    const h = conv(pool(conv(pool(conv(x, c1)), c2)), c3); // 26 → 13 → 11 → 5 → 3
    const hidden = tf.relu(tf.add(tf.matMul(tf.reshape(h, [-1, 576]), d1[0]), d1[1]));
    return tf.add(tf.matMul(hidden, d2[0]), d2[1]);
  }

  /** One optimizer update on the batch; returns the loss (read back, so the step has finished). */
  async step(b: { images: Float32Array; labels: Float32Array }, batch: number): Promise<number> {
    const x = tf.tensor4d(b.images, [batch, 28, 28, 1]);
    const y = tf.tensor2d(b.labels, [batch, 10]);
    const cost = this.#optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, this.#logits(x)) as tf.Scalar, true, this.#vars);
    tf.tidy(() => {
      for (const v of this.#vars) v.assign(tf.mul(v, this.#decay));
    });
    const loss = (await cost!.data())[0];
    tf.dispose([x, y, cost!]);
    return loss;
  }
}

const artifacts: Record<ArtifactTarget, TrainingArtifacts> = {
  portable: generateArtifacts(buildSeedCnn({ seed: 0 }), { optimizer: 'adamw', target: 'portable' }),
  cpu: generateArtifacts(buildSeedCnn({ seed: 0 }), { optimizer: 'adamw', target: 'cpu' }),
};

/** Trainers and TF.js models per side and batch size, made on first use and kept across repeats. */
const models = new Map<string, Trainer | TfjsSeedCnn>();
let data: ImageDataset | undefined;

async function modelFor(side: Side, batch: number): Promise<Trainer | TfjsSeedCnn> {
  const key = `${side}/${batch}`;
  let model = models.get(key);
  if (!model) {
    model = side === 'tfjs' ? new TfjsSeedCnn(0) : await Trainer.create(artifacts[side], { device: 'wasm', target: side });
    models.set(key, model);
  }
  return model;
}

/**
 * Seconds of `steps` training steps (forward, loss, backward, optimizer update; batch copied out and
 * one-hot encoded inside the loop) after `warmup` untimed ones; batches `offset`, `offset + 1`, ….
 */
async function run(side: Side, batch: number, warmup: number, steps: number, offset: number): Promise<{ seconds: number; loss: number }> {
  if (!data) throw new Error('the page is not set up yet');
  const model = await modelFor(side, batch);
  const d = data;
  const one = (i: number) => (model instanceof Trainer ? onnxkitStep(model, batchAt(d, batch, offset + i), batch) : model.step(batchAt(d, batch, offset + i), batch));
  for (let i = 0; i < warmup; i++) await one(i);
  let loss = NaN;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) loss = await one(warmup + i);
  return { seconds: (performance.now() - t0) / 1000, loss };
}

/** One step of each target from the same checkpoint on one batch: their losses and new parameters must agree. */
async function checkCpuTarget(d: ImageDataset): Promise<PageSetup['check']> {
  const b = batchAt(d, 32, 0);
  const out = { targets: [] as string[], devices: [] as string[], loss: [] as number[], nextLoss: [] as number[], params: [] as Float32Array[] };
  for (const target of ['portable', 'cpu'] as const) {
    const trainer = await Trainer.create(artifacts[target], { device: 'wasm', target });
    try {
      out.targets.push(trainer.target);
      out.devices.push(trainer.device);
      out.loss.push(await onnxkitStep(trainer, b, 32));
      out.params.push(await trainer.getContiguousParameters());
      out.nextLoss.push((await trainer.evalStep({ input: { data: b.images, dims: [32, 1, 28, 28] } }, { data: b.labels, dims: [32, 10] })).loss);
    } finally {
      await trainer.release();
    }
  }
  const [p, c] = out.params;
  if (p.length !== c.length) throw new Error(`cpu target check: ${p.length} vs ${c.length} parameters`);
  let maxParamDiff = 0;
  for (let i = 0; i < p.length; i++) maxParamDiff = Math.max(maxParamDiff, Math.abs(p[i] - c[i]));
  return { targets: out.targets, devices: out.devices, loss: out.loss, maxParamDiff, nextLoss: out.nextLoss };
}

report(async (): Promise<PageSetup> => {
  configureWeb({ wasmPaths: served.ort, numThreads: 1 });
  await tf.setBackend('cpu');
  await tf.ready();
  const digits = await mnistDigits(PER_CLASS);
  data = selectExamples(digits, permutation(digits.count, new Random(1)));
  const check = await checkCpuTarget(data);
  const portableOps = opTypes(artifacts.portable);
  (globalThis as { __trainingWasmBench?: unknown }).__trainingWasmBench = { run };
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    wasmThreads: Number(getRuntime().env.wasm.numThreads),
    ortFiles: ortFilesLoaded(),
    tfjs: { version: tf.version.tfjs, backend: tf.getBackend() },
    digits: data.count,
    cpuOnlyOps: [...opTypes(artifacts.cpu)].filter((t) => !portableOps.has(t)).sort(),
    check,
  };
});

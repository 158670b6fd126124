import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Model } from '../../packages/core/src/onnx/index.js';
import type { TrainingArtifacts } from '../../packages/core/src/train/index.js';
import { worstSampledError, type SampledGradient } from './gradient-error.js';
import { runModel, type Feeds } from './ort-step.js';
import { oneHot } from './torch-fixture.js';
import { hashedValues, samplePositions, torchvisionFixtureDir, type TorchvisionReference } from './torchvision-fixture.js';

/** A PyTorch result with BatchNormalization in training mode (`<arch>-bn-train[-<case>].json`, torchvision_reference.py). */
export interface BnTrainReference {
  loss: number;
  /**
   * How well float32 arithmetic determines the loss: the largest relative change of it in PyTorch's own
   * float32 run and in float64 runs on float32-rounding-sized perturbations (torchvision_reference.py).
   */
  lossFloat32Spread: number;
  /** ONNX momentum of PyTorch's update (running = m·running + (1 − m)·batch). */
  momentum: number;
  /**
   * Every trainable tensor: sampled positions, PyTorch's gradient there, the whole tensor's largest
   * |gradient|, and the same float32 spread of it (relative to that largest value).
   */
  grads: (SampledGradient & { float32Spread: number })[];
  /** Every running mean and variance after the forward pass, in full, and its float32 spread. */
  running: { name: string; values: Float32Array; max: number; float32Spread: number }[];
  /** The batch and its classes (the eval-mode reference's, unless the case has its own). */
  input: { data: Float32Array; dims: number[] };
  labels: number[];
  /** Opsets the case has exports for. */
  opsets: number[];
  /** The export at `opset` with the hashed weights (the case's own export at its input size, if any). */
  model(opset: number): Model;
}

interface Entry {
  name: string;
  role: 'gradient' | 'running';
  max: number;
  offset: number;
  length: number;
  float32Spread: number;
}

interface Doc {
  loss: number;
  lossFloat32Spread: number;
  momentum: number;
  samples: number;
  bin: string;
  tensors: Entry[];
  /** Only in a case at another batch, size or input seed (`<arch>-bn-train-<batch>x<size>`). */
  input?: { shape: number[]; seed: number; offset: number; scale: number };
  labels?: number[];
  onnx?: string;
}

/**
 * Loads the training-mode reference of an architecture (`testCase`, e.g. `'8x128'`: the generator's
 * case at that batch and input size), or undefined for one without BatchNormalization.
 */
export function loadBnTrainReference(ref: TorchvisionReference, testCase?: string): BnTrainReference | undefined {
  const file = path.join(torchvisionFixtureDir, `${ref.arch}-bn-train${testCase ? `-${testCase}` : ''}.json`);
  if (!existsSync(file)) {
    if (testCase) throw new Error(`${file} is missing: run scripts/fixtures/torchvision_reference.py ${ref.arch}`);
    return undefined;
  }
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Doc;
  const bin = readFileSync(path.join(torchvisionFixtureDir, doc.bin));
  const all = new Float32Array(new Uint8Array(bin).buffer, 0, bin.byteLength / 4);
  const slice = (t: Entry) => all.slice(t.offset, t.offset + t.length);
  const manifest = new Map(ref.tensors.map((t) => [t.name, t]));
  const grads = doc.tensors
    .filter((t) => t.role === 'gradient')
    .map((t) => {
      const m = manifest.get(t.name);
      if (!m) throw new Error(`${ref.arch}: '${t.name}' is not in the manifest`);
      const positions = samplePositions(m.shape.reduce((p, d) => p * d, 1), m.seed, doc.samples);
      if (positions.length !== t.length) throw new Error(`${ref.arch}: ${t.name} has ${t.length} samples, expected ${positions.length}`);
      return { name: t.name, positions, values: slice(t), max: t.max, float32Spread: t.float32Spread };
    });
  const running = doc.tensors.filter((t) => t.role === 'running').map((t) => ({ name: t.name, values: slice(t), max: t.max, float32Spread: t.float32Spread }));
  const common = { loss: doc.loss, lossFloat32Spread: doc.lossFloat32Spread, momentum: doc.momentum, grads, running };
  const { input, labels, onnx } = doc;
  if (!input || !labels || !onnx) return { ...common, input: ref.input, labels: ref.labels, opsets: ref.opsets, model: (opset) => ref.model(opset) };
  return {
    ...common,
    input: { data: hashedValues(input.shape.reduce((p, d) => p * d, 1), input.seed, input.offset, input.scale), dims: input.shape },
    labels,
    opsets: [Number(/opset(\d+)\.onnx$/.exec(onnx)?.[1])],
    model: () => ref.modelFrom(onnx),
  };
}

/** A PyTorch float64 gradient this small against the model's largest is zero in exact arithmetic. */
const ZERO = 1e-10;

/** How far one onnxkit training-mode step is from the reference (relative errors, as the parity tests report them). */
export interface BnTrainErrors {
  loss: number;
  /** Worst gradient error (sampled positions and largest magnitude) over the nonzero gradients, and its tensor. */
  grad: number;
  gradWhere: string;
  /** The largest float32 spread of those gradients. */
  spread: number;
  /** Gradients zero in exact arithmetic: how many, and onnxkit's largest |value| of them over the model's largest gradient. */
  zeros: number;
  zeroWorst: number;
  /** Worst updated running statistic (max |onnxkit − torch| / max |torch|) and its name. */
  running: number;
  runningWhere: string;
}

/**
 * Runs the training graph of `artifacts` (generated with `batchNorm: 'train'` from `model`) once on the
 * reference's batch, with the model's own parameters and running statistics, and compares it with
 * PyTorch's step.
 */
export async function bnTrainErrors(model: Model, artifacts: TrainingArtifacts, bn: BnTrainReference, classes: number): Promise<BnTrainErrors> {
  const initializers = new Map(model.graph.initializers.map((t) => [t.name, t]));
  const feed = (name: string) => {
    const t = initializers.get(name)!;
    return [name, { data: t.data as Float32Array, dims: t.dims }] as const;
  };
  const params: Feeds = Object.fromEntries(artifacts.summary.trainable.map((t) => feed(t.name)));
  const running: Feeds = Object.fromEntries(artifacts.summary.runningStatistics.map((s) => feed(s.name)));
  const out = await runModel(artifacts.trainingModel, {
    input: bn.input,
    labels: { data: oneHot(bn.labels, classes), dims: [bn.labels.length, classes] },
    ...params,
    ...running,
  });
  const largest = Math.max(...bn.grads.map((g) => g.max));
  const nonzero = bn.grads.filter((g) => g.max > ZERO * largest);
  const zero = bn.grads.filter((g) => g.max <= ZERO * largest);
  const grads = worstSampledError(nonzero, (name) => out[`${name}_grad`]);
  let zeroWorst = 0;
  for (const g of zero) for (const v of out[`${g.name}_grad`]) zeroWorst = Math.max(zeroWorst, Math.abs(v) / largest);
  let worstRunning = { error: 0, name: '' };
  for (const r of bn.running) {
    const mine = out[`${r.name}.new`];
    let diff = 0;
    for (let i = 0; i < r.values.length; i++) diff = Math.max(diff, Math.abs(mine[i] - r.values[i]));
    const error = diff / r.max;
    if (!(error <= worstRunning.error)) worstRunning = { error, name: r.name };
  }
  return {
    loss: Math.abs(out.loss[0] - bn.loss) / Math.abs(bn.loss),
    grad: grads.error,
    gradWhere: grads.name,
    spread: Math.max(...nonzero.map((g) => g.float32Spread)),
    zeros: zero.length,
    zeroWorst,
    running: worstRunning.error,
    runningWhere: worstRunning.name,
  };
}

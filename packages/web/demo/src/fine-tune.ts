// Platform-free (core only), so the same fine-tuning runs in Node tests and in the page.
import {
  encodeModel,
  evaluateDataset,
  fit,
  generateArtifacts,
  LABELS_KEY,
  PREPROCESSING_KEY,
  Trainer,
  type Device,
  type DeviceFailure,
  type ImageDataset,
  type Model,
} from '@onnxkit/core';
import { denseParameters } from './add-class.js';

/** How the demo fine-tunes (all settable from the page URL, see options.ts). */
export interface FineTuneSettings {
  device: Device | 'auto';
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Momentum SGD gives the same numbers on every backend; Adam adapts faster on few examples. */
  optimizer: 'momentum' | 'adam';
  /** `'dense'`: the two dense layers (fast, keeps the learned features); `'all'`: every parameter. */
  train: 'dense' | 'all';
  /** Random shifts/rotations of the examples each epoch. */
  augment: boolean;
  seed: number;
  /** Log ORT's node placement (verbose log level must be set before the first session). */
  verbose: boolean;
}

/** What the demo plots while training. */
export interface FineTuneHooks {
  onBatch?(info: { step: number; loss: number }): void;
  onEpoch?(info: { epoch: number; loss: number; accuracy: number; retention?: number }): void;
}

/** The outcome of {@link fineTune}. */
export interface FineTuneResult {
  /** The fine-tuned model, with its labels and preprocessing spec. */
  bytes: Uint8Array;
  device: Device;
  fallbacks: readonly DeviceFailure[];
  /** Where parameters lived between steps (`gpu-buffer` on WebGPU). */
  parametersLocation: string;
  losses: number[];
  before: { loss: number; accuracy: number };
  after: { loss: number; accuracy: number };
  trainable: string[];
}

/**
 * Fine-tunes `model` on the user's examples (plus `replay` digits, so it keeps the classes it knew),
 * in this page: training artifacts are generated here, the Trainer runs them on the chosen device.
 */
export async function fineTune(
  model: Model,
  examples: ImageDataset,
  replay: ImageDataset | undefined,
  retention: ImageDataset | undefined,
  settings: FineTuneSettings,
  hooks: FineTuneHooks = {},
): Promise<FineTuneResult> {
  const trainable = settings.train === 'dense' ? denseParameters(model) : undefined;
  const artifacts = generateArtifacts(model, {
    optimizer: settings.optimizer,
    ...(settings.optimizer === 'momentum' ? { momentum: 0.9 } : {}),
    ...(trainable ? { trainable } : {}),
  });
  if (settings.verbose) console.log('### onnxkit-demo: begin trainer');
  const trainer = await Trainer.create(artifacts, { device: settings.device, ...(settings.verbose ? { logSeverityLevel: 0 as const } : {}) });
  if (settings.verbose) console.log('### onnxkit-demo: end trainer');
  try {
    const data = replay ? concat(examples, replay) : examples;
    const before = await evaluateDataset(trainer, examples);
    const losses: number[] = [];
    let location = trainer.parametersLocation;
    await fit(trainer, data, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      learningRate: settings.learningRate,
      seed: settings.seed,
      augment: settings.augment ? { maxShift: 2, maxRotation: 10 } : false,
      onBatchEnd: (b) => {
        losses.push(b.loss);
        location = trainer.parametersLocation;
        hooks.onBatch?.({ step: losses.length, loss: b.loss });
      },
      onEpochEnd: async (e) => {
        const mine = await evaluateDataset(trainer, examples);
        const kept = retention ? await evaluateDataset(trainer, retention) : undefined;
        hooks.onEpoch?.({ epoch: e.epoch + 1, loss: mine.loss, accuracy: mine.accuracy, ...(kept ? { retention: kept.accuracy } : {}) });
      },
    });
    const after = await evaluateDataset(trainer, examples);
    // The export drops the artifacts' onnxkit.* keys: carry the classifier contract over.
    const keep = Object.fromEntries([LABELS_KEY, PREPROCESSING_KEY].filter((k) => model.metadata[k] !== undefined).map((k) => [k, model.metadata[k]]));
    const exported = await trainer.exportModelForInference({
      ...keep,
      'onnxkit.demo': JSON.stringify({ examples: examples.count, replay: replay?.count ?? 0, ...settings }),
    });
    const bytes = encodeModel(exported);
    return {
      bytes,
      device: trainer.device,
      fallbacks: trainer.fallbacks,
      parametersLocation: location,
      losses,
      before,
      after,
      trainable: trainer.parameters.map((p) => p.name),
    };
  } finally {
    await trainer.release();
  }
}

/** One dataset with the images and labels of both (same image shape; the larger class count). */
export function concat(a: ImageDataset, b: ImageDataset): ImageDataset {
  const images = new Float32Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  const labels = new Int32Array(a.count + b.count);
  labels.set(a.labels);
  labels.set(b.labels, a.count);
  return { images, labels, count: a.count + b.count, shape: a.shape, classes: Math.max(a.classes, b.classes) };
}

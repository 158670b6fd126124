import path from 'node:path';
import {
  decodeCheckpoint,
  fit,
  fitPositionFromMetadata,
  fitPositionMetadata,
  generateArtifacts,
  LABELS,
  mergeHead,
  Random,
  splitDataset,
  Trainer,
  batchCount,
  type ArtifactOptions,
  type FitPosition,
  type ImageDataset,
  type Model,
} from '@onnxkit/core';
import { FileAccessError, readUntrustedFile, writeFileAtomic } from '@onnxkit/node';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';
import { specOf, loadDataSource } from './data-source.js';
import { loadEmbeddedData, type FrozenBackbone } from './frozen-backbone.js';
import { trainerReport } from './evaluate.js';
import { defaultPreprocessing, imageInputSpec } from './input-spec.js';
import { interruptOnSigint } from './interrupt.js';
import { CARD_KEY, LABELS_KEY, pickLabels, PREPROCESSING_KEY } from './model-metadata.js';
import { trainingProgress } from './progress.js';
import { checkSameRecipe, RECIPE_KEY, type TrainingRecipe } from './recipe.js';
import type { TrainReport } from './train-report.js';
import { scheduleFrom, type TrainingFlags } from './training-options.js';
import { outputBase, writeTrainedModel, writeTrainingPlots } from './write-outputs.js';

/** A training run as `train` or `finetune` prepared it. */
export interface TrainingJob {
  command: 'train' | 'finetune';
  /** The inference model to train (built, or read, with its head already replaced). */
  model: Model;
  /** The model as the command line named it, for reports. */
  modelName: string;
  /** Class names the model already has (kept when the data has no names of its own). */
  labels?: string[];
  /** The model's `onnxkit.preprocessing`, carried to the trained model. */
  preprocessing?: string;
  /** Which parameters train (`trainable`), passed to generateArtifacts with the optimizer. */
  artifactOptions: Pick<ArtifactOptions, 'trainable'>;
  /** The recipe without the data source (filled in here). */
  recipe: Omit<TrainingRecipe, 'data' | 'split'>;
  flags: TrainingFlags;
  /** `--out` when not given. */
  defaultOut: string;
  /** Train the head alone on the embeddings of a frozen backbone, which runs once per image (finetune --head-only). */
  frozenBackbone?: FrozenBackbone;
}

/** The seed of the validation split, derived from the run seed (apart from shuffling's). */
const VALIDATION_SEED = 0x5eed;

/**
 * Trains as the command line asked: loads the data, generates the artifacts, runs fit() with
 * progress on stderr, saves a checkpoint when Ctrl-C stops it, else exports the model with its card
 * and draws the training curves and confusion matrix next to it.
 */
export async function runTraining(job: TrainingJob, ctx: CliContext): Promise<TrainReport> {
  const { flags } = job;
  const input = imageInputSpec(job.model);
  if (input.fixedBatch !== undefined) {
    throw new CliUsageError(`the model's input '${input.name}' has a fixed batch size of ${input.fixedBatch}; training needs a dynamic batch dimension`);
  }
  const sourceOptions = { ...(flags.split ? { split: flags.split } : {}), prefer: 'train' as const, input, ...(job.labels ? { classNames: job.labels } : {}), ...specOf(job.model) };
  const frozen = job.frozenBackbone;
  const { dataset, description, embedding } = frozen
    ? await loadEmbeddedData(flags.data, frozen, { ...sourceOptions, device: flags.device })
    : { ...(await loadDataSource(flags.data, sourceOptions)), embedding: undefined };
  const recipe: TrainingRecipe = { ...job.recipe, data: description.source, ...(description.split ? { split: description.split } : {}) };
  const out = path.resolve(flags.out ?? job.defaultOut);
  const checkpointPath = path.resolve(flags.checkpoint ?? `${outputBase(out)}.checkpoint`);

  const artifacts = generateArtifacts(frozen ? frozen.split.head : job.model, { optimizer: flags.optimizer, batchNorm: flags.batchNorm, ...job.artifactOptions });
  const labelsInput = artifacts.trainingModel.graph.inputs.find((v) => v.name === LABELS);
  const width = labelsInput?.type?.kind === 'tensor' ? labelsInput.type.shape?.at(-1) : undefined;
  if (typeof width === 'number' && dataset.classes > width) {
    throw new CliUsageError(
      `--data '${flags.data}' has ${dataset.classes} classes but the model outputs ${width}` +
        (job.command === 'finetune' ? `; add --new-head ${dataset.classes} to give it a new ${dataset.classes}-way head` : '; use `onnxkit finetune --new-head`'),
    );
  }
  const classes = typeof width === 'number' ? width : dataset.classes;
  const labels = pickLabels(classes, flags.labels, dataset.classNames, job.labels);
  if (flags.labels && flags.labels.length !== classes) throw new CliUsageError(`--labels has ${flags.labels.length} names but the model outputs ${classes} classes`);

  let train: ImageDataset = dataset;
  let validation: ImageDataset | undefined;
  if (flags.validation !== undefined) {
    try {
      ({ train, validation } = splitDataset(dataset, flags.validation, new Random((flags.seed ^ VALIDATION_SEED) >>> 0)));
    } catch {
      throw new CliUsageError(`--validation ${flags.validation}: must leave training examples (the data has ${dataset.count})`);
    }
  }
  if (flags.earlyStopping !== undefined && !validation) throw new CliUsageError('--early-stopping needs validation data: add --validation <n|fraction>');

  const trainer = await Trainer.create(artifacts, { device: flags.device });
  try {
    let resume: FitPosition | undefined;
    if (flags.resume) resume = await loadResume(trainer, flags.resume, recipe);
    const progress = trainingProgress(ctx, flags.progress ? (process.stderr.isTTY ? 'bar' : 'lines') : 'none', flags.epochs);
    const signal = interruptOnSigint(ctx);
    const started = Date.now();
    let result;
    try {
      result = await fit(trainer, train, {
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        learningRate: scheduleFrom(flags, batchCount(train.count, flags.batchSize)),
        seed: flags.seed,
        ...(validation ? { validation } : {}),
        ...(flags.earlyStopping !== undefined ? { earlyStopping: { patience: flags.earlyStopping } } : {}),
        augment: flags.augment ? { maxShift: 2, maxRotation: 10 } : false,
        signal,
        ...(resume ? { resume } : {}),
        onBatchEnd: (b) => progress.batch(b),
        onEpochEnd: (e) => progress.epoch(e),
      });
    } finally {
      signal.dispose();
      progress.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    const report: TrainReport = {
      command: job.command,
      model: job.modelName,
      device: trainer.device,
      fallbacks: [...trainer.fallbacks],
      data: { ...description, training: train.count, validation: validation?.count ?? 0 },
      ...(embedding ? { embedding } : {}),
      trainable: { tensors: artifacts.summary.trainable.map((t) => t.name), elements: artifacts.summary.trainableElements },
      recipe,
      stopReason: result.stopReason,
      ...(result.nonFiniteStep !== undefined ? { nonFiniteStep: result.nonFiniteStep } : {}),
      steps: trainer.step,
      seconds,
      history: result.history,
      ...(flags.resume ? { resumedFrom: path.resolve(flags.resume) } : {}),
    };
    if (result.stopReason === 'aborted') {
      const metadata = { ...fitPositionMetadata(result.position), [RECIPE_KEY]: JSON.stringify(recipe) };
      await writeFileAtomic(checkpointPath, await trainer.saveCheckpoint(metadata), { mkdir: true });
      return { ...report, checkpoint: checkpointPath };
    }
    const on = validation ? 'validation' : 'training';
    const evaluation = { ...(await trainerReport(trainer, validation ?? train, labels)), on } as const;
    const card = {
      name: path.basename(outputBase(out)),
      data: description,
      recipe,
      ...(validation ? { validationAccuracy: evaluation.accuracy } : { trainingAccuracy: evaluation.accuracy }),
      trainingSeconds: Math.round(seconds + (resume?.history.reduce((a, e) => a + e.seconds, 0) ?? 0)),
    };
    const metadata: Record<string, string> = {
      [LABELS_KEY]: JSON.stringify(labels),
      [PREPROCESSING_KEY]: job.preprocessing ?? defaultPreprocessing(input, description.kind !== 'image-folder'),
      [CARD_KEY]: JSON.stringify(card),
    };
    const docString = `${card.name}: ${job.command === 'train' ? 'trained' : 'fine-tuned'} by onnxkit from ${job.modelName}`;
    // A head trained alone goes back onto the backbone it was trained on.
    const sha256 = await writeTrainedModel(trainer, out, metadata, docString, frozen ? (head) => mergeHead(job.model, head) : undefined);
    const plots = flags.plots ? await writeTrainingPlots(outputBase(out), result.history, evaluation, card.name) : undefined;
    return { ...report, evaluation, out, sha256, ...(plots ? { plots } : {}) };
  } finally {
    await trainer.release();
  }
}

/** Loads a `--resume` checkpoint into the trainer after checking it was saved by the same command and options. */
async function loadResume(trainer: Trainer, file: string, recipe: TrainingRecipe): Promise<FitPosition> {
  const refuse = (why: string) => new CliUsageError(`--resume '${file}': ${why}`);
  let bytes: Uint8Array;
  try {
    bytes = await readUntrustedFile(file, { kind: 'model', what: 'checkpoint' });
  } catch (err) {
    throw refuse(`cannot read it: ${err instanceof FileAccessError ? err.reason : (err as Error).message}`);
  }
  let metadata: Record<string, string>;
  let position: FitPosition | undefined;
  let stored: unknown;
  try {
    metadata = decodeCheckpoint(bytes).metadata ?? {};
    position = fitPositionFromMetadata(metadata);
    stored = metadata[RECIPE_KEY] === undefined ? undefined : JSON.parse(metadata[RECIPE_KEY]);
  } catch (err) {
    throw refuse((err as Error).message);
  }
  if (!stored || !position) throw refuse('not a checkpoint of an interrupted onnxkit train or finetune run');
  if (typeof stored !== 'object' || Array.isArray(stored)) throw refuse(`its '${RECIPE_KEY}' is not an object`);
  checkSameRecipe(stored as TrainingRecipe, recipe, file);
  await trainer.loadCheckpoint(bytes).catch((err: unknown) => {
    throw refuse((err as Error).message.replace(/^loadCheckpoint: /, ''));
  });
  return position;
}

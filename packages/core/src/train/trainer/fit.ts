import { augmentImages } from '../../data/augment.js';
import { batchCount, batches } from '../../data/batches.js';
import { oneHot, splitDataset, type ImageDataset } from '../../data/dataset.js';
import { Random } from '../../data/random.js';
import type { FeedValue } from '../../runtime/feeds.js';
import type { BatchEndInfo, EpochEndInfo, FitOptions, FitPosition, FitResult, FitStopReason } from './fit-options.js';
import { DivergenceGuard } from './divergence-guard.js';
import { checkFitPosition } from './fit-position.js';
import { learningRateSchedule } from './lr-schedule.js';
import type { Trainer } from './trainer.js';

/** Seeds derived from the run seed, so an epoch's shuffle and a batch's augmentation can be replayed. */
function derivedSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h;
}

/** Batch images → the model's input tensor, in its layout (NCHW, or NHWC for e.g. Keras models). */
export function imagesToFeed(trainer: Pick<Trainer, 'dataInputs'>, images: Float32Array, count: number, shape: readonly [number, number, number]): Record<string, FeedValue> {
  const input = trainer.dataInputs[0];
  if (!input) throw new RangeError('fit: the model has no data input');
  const [c, h, w] = shape;
  const s = input.shape;
  // A head trained on a frozen backbone's features takes them as [N, D] (train/transfer/embeddings.ts).
  if (s.length === 2) return { [input.name]: { data: images, dims: [count, c * h * w] } };
  const nhwc = s.length === 4 && s[3] === c && s[1] === h && s[2] === w && s[1] !== c;
  if (!nhwc) return { [input.name]: { data: images, dims: [count, c, h, w] } };
  const out = new Float32Array(images.length);
  for (let k = 0; k < count; k++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < h * w; i++) out[(k * h * w + i) * c + ch] = images[(k * c + ch) * h * w + i];
  return { [input.name]: { data: out, dims: [count, h, w, c] } };
}

function classCount(trainer: Trainer, data: ImageDataset): number {
  const width = trainer.labelWidth ?? data.classes;
  if (data.classes > width) throw new RangeError(`fit: the data has ${data.classes} classes but the model outputs ${width}`);
  return width;
}

/** Mean loss and accuracy of the model on a dataset, through the eval graph. */
export async function evaluateDataset(trainer: Trainer, data: ImageDataset, batchSize = 256): Promise<{ loss: number; accuracy: number }> {
  const classes = classCount(trainer, data);
  let lossSum = 0;
  let correct = 0;
  for (const b of batches(data, { batchSize })) {
    const { loss, outputs } = await trainer.evalStep(imagesToFeed(trainer, b.images, b.count, data.shape), {
      data: oneHot(b.labels, classes),
      dims: [b.count, classes],
    });
    lossSum += loss * b.count;
    const scores = Object.values(outputs)[0].data as Float32Array;
    for (let i = 0; i < b.count; i++) {
      let best = 0;
      for (let j = 1; j < classes; j++) if (scores[i * classes + j] > scores[i * classes + best]) best = j;
      if (best === b.labels[i]) correct++;
    }
  }
  return { loss: lossSum / data.count, accuracy: correct / data.count };
}

/**
 * Trains on an image dataset: seeded shuffling, optional augmentation and validation, a learning-rate
 * schedule, early stopping, callbacks. A NaN/Inf loss, a diverging one (see `DIVERGENCE_FACTOR`) or
 * non-finite parameters after the last update stop the run and restore the newest parameters whose loss
 * was measured sane; an aborted `signal` stops at a batch boundary. Deterministic for a given seed, also
 * across a stop and `resume`. A `resume` position that does not fit this run throws a RangeError.
 *
 * @example
 * ```ts
 * const result = await fit(trainer, train, { epochs: 3, batchSize: 64, validation: test, onEpochEnd: (e) => console.log(e) });
 * const tuned = await trainer.exportModelForInference();
 * ```
 */
export async function fit(trainer: Trainer, data: ImageDataset, options: FitOptions = {}): Promise<FitResult> {
  const epochs = options.epochs ?? 5;
  const batchSize = options.batchSize ?? 32;
  const accumulate = options.accumulateSteps ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`fit: 'epochs' must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`fit: 'batchSize' must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(accumulate) || accumulate < 1) throw new RangeError(`fit: 'accumulateSteps' must be a positive integer, got ${accumulate}`);
  const seed = options.resume?.seed ?? options.seed ?? 0;
  let train = data;
  let validation: ImageDataset | undefined;
  if (typeof options.validation === 'number') {
    ({ train, validation } = splitDataset(data, options.validation, new Random(derivedSeed(seed, 0x5eed))));
  } else if (options.validation) {
    validation = options.validation;
  }
  const classes = classCount(trainer, train);
  const schedule = learningRateSchedule(options.learningRate ?? 1e-3);
  const perEpoch = batchCount(train.count, batchSize);
  const totalSteps = Math.ceil((perEpoch * epochs) / accumulate);
  const pos: FitPosition = options.resume
    ? resumePosition(options.resume, epochs, perEpoch)
    : { seed, epoch: 0, batch: 0, history: [], badEpochs: 0, lossSum: 0, lossCount: 0 };
  let stopReason: FitStopReason = 'completed';
  let nonFiniteStep: number | undefined;
  const guard = new DivergenceGuard(trainer);
  // The newest batch, and whether an update came after its loss was measured.
  let last: { inputs: Record<string, FeedValue>; labels: FeedValue } | undefined;
  let unmeasured = false;

  outer: for (; pos.epoch < epochs; pos.epoch++, pos.batch = 0, pos.lossSum = 0, pos.lossCount = 0) {
    const started = Date.now();
    const order = new Random(derivedSeed(seed, pos.epoch));
    let index = 0;
    for (const b of batches(train, { batchSize, rng: order })) {
      if (index++ < pos.batch) continue;
      if (options.signal?.aborted) {
        stopReason = 'aborted';
        break outer;
      }
      if (options.augment) {
        augmentImages(b.images, b.count, train.shape, new Random(derivedSeed(seed, pos.epoch, pos.batch, 1)), options.augment);
      }
      last = { inputs: imagesToFeed(trainer, b.images, b.count, train.shape), labels: { data: oneHot(b.labels, classes), dims: [b.count, classes] } };
      const { loss } = await trainer.trainStep(last.inputs, last.labels);
      unmeasured = false;
      const verdict = await guard.observe(loss, pos.epoch);
      if (verdict !== 'ok') {
        await guard.restoreGood();
        stopReason = verdict === 'diverged' ? 'diverged' : 'non-finite-loss';
        nonFiniteStep = trainer.step;
        break outer;
      }
      const lr = schedule(trainer.step, totalSteps);
      if ((pos.batch + 1) % accumulate === 0 || pos.batch + 1 === perEpoch) {
        await trainer.optimizerStep({ learningRate: lr });
        trainer.lazyResetGrad();
        guard.stepped();
        unmeasured = true;
      }
      pos.batch++;
      pos.lossSum += loss;
      pos.lossCount++;
      const info: BatchEndInfo = { epoch: pos.epoch, batch: pos.batch - 1, batchesPerEpoch: perEpoch, loss, learningRate: lr, step: trainer.step };
      await options.onBatchEnd?.(info);
    }
    const epochInfo: EpochEndInfo = { epoch: pos.epoch, loss: pos.lossSum / Math.max(1, pos.lossCount), seconds: 0 };
    if (validation) {
      const v = await evaluateDataset(trainer, validation);
      epochInfo.valLoss = v.loss;
      epochInfo.valAccuracy = v.accuracy;
    }
    epochInfo.seconds = (Date.now() - started) / 1000;
    pos.history.push(epochInfo);
    await options.onEpochEnd?.(epochInfo);
    if (options.earlyStopping && epochInfo.valLoss !== undefined) {
      const { patience, minDelta = 0 } = options.earlyStopping;
      if (pos.best === undefined || epochInfo.valLoss < pos.best - minDelta) {
        pos.best = epochInfo.valLoss;
        pos.badEpochs = 0;
      } else if (++pos.badEpochs >= patience) {
        pos.epoch++;
        pos.batch = 0;
        stopReason = 'early-stopping';
        break;
      }
    }
  }
  // Training never sees the last update's loss: measure it on the last batch, so a blow-up there is not
  // handed back as 'completed' (one forward pass per fit).
  if (unmeasured && last && stopReason !== 'non-finite-loss' && stopReason !== 'diverged') {
    const verdict = guard.judge((await trainer.evalStep(last.inputs, last.labels)).loss);
    if (verdict !== 'ok') {
      await guard.restoreGood();
      stopReason = verdict === 'diverged' ? 'diverged' : 'non-finite-loss';
      nonFiniteStep = trainer.step;
    }
  }
  return { history: pos.history, stopReason, ...(nonFiniteStep !== undefined ? { nonFiniteStep } : {}), position: pos };
}

/** A copy of a `resume` position, refused when it does not fit this run (a damaged or edited checkpoint). */
function resumePosition(resume: FitPosition, epochs: number, perEpoch: number): FitPosition {
  const pos = checkFitPosition(resume, "fit: 'resume'");
  if (pos.epoch > epochs || (pos.epoch === epochs && pos.batch > 0)) {
    throw new RangeError(`fit: 'resume' is at epoch ${pos.epoch}, past this run's ${epochs} epochs`);
  }
  if (pos.batch >= perEpoch && pos.epoch < epochs) {
    throw new RangeError(`fit: 'resume' is at batch ${pos.batch} of epoch ${pos.epoch}, but an epoch here has ${perEpoch} batches`);
  }
  if (pos.lossCount > pos.batch) throw new RangeError(`fit: 'resume' counts ${pos.lossCount} losses in ${pos.batch} batches`);
  return pos;
}

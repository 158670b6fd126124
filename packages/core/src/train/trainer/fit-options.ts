import type { AugmentOptions } from '../../data/augment.js';
import type { ImageDataset } from '../../data/dataset.js';
import type { ScheduleSpec } from './lr-schedule.js';

/** What {@link fit} reports after each batch. */
export interface BatchEndInfo {
  epoch: number;
  /** Batch index within the epoch. */
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  learningRate: number;
  /** Optimizer steps taken so far. */
  step: number;
}

/** What {@link fit} reports after each epoch. */
export interface EpochEndInfo {
  epoch: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Validation loss and accuracy, when there is validation data. */
  valLoss?: number;
  valAccuracy?: number;
  /** Seconds the epoch took (training + validation). */
  seconds: number;
}

/** Where a run stands; stored in checkpoints so a stopped run resumes exactly. */
export interface FitPosition {
  seed: number;
  /** The epoch to continue, and the batches of it already done. */
  epoch: number;
  batch: number;
  history: EpochEndInfo[];
  /** Early-stopping bookkeeping. */
  best?: number;
  badEpochs: number;
  /** Sum and count of this epoch's batch losses so far. */
  lossSum: number;
  lossCount: number;
}

/** Something that says when to stop (an AbortSignal fits). */
export interface StopSignal {
  readonly aborted: boolean;
}

/** Options of {@link fit}. */
export interface FitOptions {
  /** Passes over the training data. @defaultValue 5 */
  epochs?: number;
  /** Examples per batch. @defaultValue 32 */
  batchSize?: number;
  /** A fixed rate or a schedule. @defaultValue 0.001 */
  learningRate?: number | ScheduleSpec;
  /** Seed of shuffling, augmentation and the validation split. @defaultValue 0 */
  seed?: number;
  /** A validation set, or how much of the data to hold out (a count, or a fraction < 1). @defaultValue none */
  validation?: ImageDataset | number;
  /** Stop when the validation loss has not improved by `minDelta` for `patience` epochs. @defaultValue off */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Random shifts and rotations of training batches; false for none. @defaultValue false */
  augment?: AugmentOptions | false;
  /** Batches whose gradients are summed before each optimizer step. @defaultValue 1 */
  accumulateSteps?: number;
  /** Called after each batch. */
  onBatchEnd?: (info: BatchEndInfo) => void | Promise<void>;
  /** Called after each epoch. */
  onEpochEnd?: (info: EpochEndInfo) => void | Promise<void>;
  /** Checked before each batch: when aborted, fit stops cleanly at a batch boundary (e.g. on Ctrl-C). */
  signal?: StopSignal;
  /** Continue a stopped run from the position stored in its checkpoint (see {@link fitPositionFromMetadata}). */
  resume?: FitPosition;
}

/** Why {@link fit} returned. */
export type FitStopReason = 'completed' | 'early-stopping' | 'non-finite-loss' | 'diverged' | 'aborted';

/** Result of {@link fit}. */
export interface FitResult {
  history: EpochEndInfo[];
  stopReason: FitStopReason;
  /** With `'non-finite-loss'` or `'diverged'`: the step reached after restoring the last good parameters. */
  nonFiniteStep?: number;
  /** Where the run stands: pass it as `resume` to continue. */
  position: FitPosition;
}

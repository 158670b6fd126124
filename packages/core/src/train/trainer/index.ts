export { Trainer, type TrainerOptions, type TrainStepResult, type EvalStepResult } from './trainer.js';
export type { ArtifactSet } from './artifact-set.js';
export type { OptimizerLayout } from './optimizer-update.js';
export { MODEL_CARD_KEY } from './inference-export.js';
export { learningRateSchedule, type LearningRateSchedule, type ScheduleSpec } from './lr-schedule.js';
export { fit, evaluateDataset, imagesToFeed } from './fit.js';
export { fitPositionMetadata, fitPositionFromMetadata, FIT_POSITION_KEY } from './fit-position.js';
export { DIVERGENCE_FACTOR } from './divergence-guard.js';
export type { FitOptions, FitResult, FitPosition, FitStopReason, BatchEndInfo, EpochEndInfo, StopSignal } from './fit-options.js';

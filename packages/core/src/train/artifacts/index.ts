export {
  generateArtifacts,
  ARTIFACT_OPSET,
  ARTIFACT_IR_VERSION,
  LABELS,
  LOSS,
  type TrainingArtifacts,
  type ArtifactSummary,
} from './generate.js';
export type { ArtifactOptions } from './options.js';
export { encodeArtifacts, ARTIFACT_FILES, type ArtifactFiles } from './encode-artifacts.js';
export { encodeCheckpoint, decodeCheckpoint, CHECKPOINT_MAGIC, CHECKPOINT_VERSION, type Checkpoint } from './checkpoint.js';
export { CheckpointFormatError, type CheckpointErrorCode } from './checkpoint-error.js';
export { parameterFingerprint, type ParameterShape } from './fingerprint.js';
export { learnableInitializers, selectTrainable, type TrainableSelection } from './select-trainable.js';
export { ARTIFACT_TARGETS, targetForDevice, type ArtifactTarget, type ArtifactTargetInfo } from './targets.js';
export { ARTIFACT_METADATA, ARTIFACT_GENERATOR_VERSION } from './artifact-metadata.js';
export { BATCH_NORM_MODES, type BatchNormMode } from './batch-norm-mode.js';

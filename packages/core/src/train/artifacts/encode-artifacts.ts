import { encodeModel } from '../../onnx/codec/model-codec.js';
import type { TrainingArtifacts } from './generate.js';

/** File names of the artifacts in their folder. */
export const ARTIFACT_FILES = {
  trainingModel: 'training_model.onnx',
  evalModel: 'eval_model.onnx',
  optimizerModel: 'optimizer_model.onnx',
  checkpoint: 'checkpoint',
} as const;

/** The artifacts as files: file name → bytes (writing them is the platform package's job). */
export type ArtifactFiles = Record<(typeof ARTIFACT_FILES)[keyof typeof ARTIFACT_FILES], Uint8Array>;

/** Encodes the three models to ONNX bytes; the checkpoint is already bytes. */
export function encodeArtifacts(artifacts: TrainingArtifacts): ArtifactFiles {
  return {
    [ARTIFACT_FILES.trainingModel]: encodeModel(artifacts.trainingModel),
    [ARTIFACT_FILES.evalModel]: encodeModel(artifacts.evalModel),
    [ARTIFACT_FILES.optimizerModel]: encodeModel(artifacts.optimizerModel),
    [ARTIFACT_FILES.checkpoint]: artifacts.checkpoint,
  } as ArtifactFiles;
}

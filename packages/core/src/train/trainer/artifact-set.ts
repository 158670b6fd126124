import { decodeModel } from '../../onnx/codec/decode-model.js';
import { encodeModel } from '../../onnx/codec/model-codec.js';
import type { Model } from '../../onnx/ir.js';
import type { TrainingArtifacts } from '../artifacts/generate.js';

/** The four artifacts, each as an IR model or as bytes (e.g. read from files or fetched). */
export interface ArtifactSet {
  trainingModel: Model | Uint8Array;
  evalModel: Model | Uint8Array;
  optimizerModel: Model | Uint8Array;
  /** `encodeCheckpoint` bytes. */
  checkpoint: Uint8Array;
}

/** Both the IR and the bytes of one artifact model (sessions take bytes; export needs the IR). */
export interface ArtifactModel {
  model: Model;
  bytes: Uint8Array;
}

/** Normalises an artifact given as IR or bytes; `what` names it in errors. */
export function artifactModel(source: Model | Uint8Array, what: string): ArtifactModel {
  if (source instanceof Uint8Array) return { model: decodeModel(source), bytes: source };
  if (source && typeof source === 'object' && 'graph' in source) return { model: source, bytes: encodeModel(source) };
  throw new TypeError(`Trainer: '${what}' must be an ONNX model (IR object or bytes)`);
}

/** True for the result of `generateArtifacts` (it carries a summary). */
export function isGeneratedArtifacts(a: ArtifactSet | TrainingArtifacts): a is TrainingArtifacts {
  return 'summary' in a;
}

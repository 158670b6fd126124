import { encodeModel, type Trainer } from '@onnxkit/core';

/**
 * The fine-tuned model as ONNX bytes: the trainer's current parameters in a plain inference model
 * (`trainer.exportModelForInference`), ready for a session, a {@link ByteStore} or {@link downloadBytes}.
 * Pass the classifier metadata the model should keep (e.g. `onnxkit.labels`, `onnxkit.preprocessing`):
 * the export writes a fresh model card and drops the artifacts' own `onnxkit.*` keys.
 */
export async function exportModelBytes(trainer: Trainer, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  if (!trainer || typeof trainer.exportModelForInference !== 'function') {
    throw new TypeError('exportModelBytes: trainer must be a Trainer');
  }
  if (metadata === null || typeof metadata !== 'object' || Object.values(metadata).some((v) => typeof v !== 'string')) {
    throw new TypeError('exportModelBytes: metadata must be an object of strings');
  }
  return encodeModel(await trainer.exportModelForInference(metadata));
}

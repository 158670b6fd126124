import { encodeModel } from '../../onnx/codec/model-codec.js';
import type { Model } from '../../onnx/ir.js';
import { getRuntime } from '../../runtime/registry.js';
import type { ModelSource } from '../../runtime/session.js';
import { readMetadataProps } from '../spec/model-metadata.js';

/** A model for {@link Classifier.load}: bytes, a path (Node) or URL (browsers), or a decoded Model. */
export type ClassifierModel = ModelSource | Model;

/** The model's bytes for ORT and its metadata, read without decoding the graph. */
export async function modelBytesAndMetadata(model: ClassifierModel): Promise<{ bytes: Uint8Array; metadata: Record<string, string> }> {
  if (typeof model === 'string') {
    if (model.length === 0) throw new RangeError('Classifier.load: model path/URL is empty');
    const bytes = await getRuntime().loadModel(model);
    return { bytes, metadata: readMetadataProps(bytes) };
  }
  if (model instanceof Uint8Array || model instanceof ArrayBuffer) {
    const bytes = model instanceof Uint8Array ? model : new Uint8Array(model);
    if (bytes.byteLength === 0) throw new RangeError('Classifier.load: model is empty (0 bytes)');
    return { bytes, metadata: readMetadataProps(bytes) };
  }
  if (model !== null && typeof model === 'object' && 'graph' in model && 'metadata' in model) {
    return { bytes: encodeModel(model), metadata: { ...model.metadata } };
  }
  throw new TypeError(
    `Classifier.load: model must be a path/URL string, a Uint8Array, an ArrayBuffer or a Model, got ${model === null ? 'null' : typeof model}`,
  );
}

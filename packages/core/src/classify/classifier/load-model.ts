import { encodeModel } from '../../onnx/codec/model-codec.js';
import type { Model } from '../../onnx/ir.js';
import { getRuntime } from '../../runtime/registry.js';
import type { ModelSource } from '../../runtime/session.js';
import { ModelFormatError } from '../../errors.js';
import { readMetadataProps } from '../metadata/model-metadata.js';

/** A model for {@link Classifier.load}: bytes, a path (Node) or URL (browsers), or a decoded Model. */
export type ClassifierModel = ModelSource | Model;

/** The model's bytes for ORT, its metadata (read without decoding the graph) and its name for errors. */
export async function modelBytesAndMetadata(model: ClassifierModel): Promise<{ bytes: Uint8Array; metadata: Record<string, string>; name: string }> {
  if (typeof model === 'string') {
    if (model.length === 0) throw new RangeError('Classifier.load: model path/URL is empty');
    const bytes = await getRuntime().loadModel(model);
    return { bytes, metadata: metadataOf(bytes, model), name: model };
  }
  if (model instanceof Uint8Array || model instanceof ArrayBuffer) {
    const bytes = model instanceof Uint8Array ? model : new Uint8Array(model);
    if (bytes.byteLength === 0) throw new RangeError('Classifier.load: model is empty (0 bytes)');
    return { bytes, metadata: metadataOf(bytes, 'the model bytes'), name: 'the model bytes' };
  }
  if (model !== null && typeof model === 'object' && 'graph' in model && 'metadata' in model) {
    return { bytes: encodeModel(model), metadata: { ...model.metadata }, name: 'the model' };
  }
  throw new TypeError(
    `Classifier.load: model must be a path/URL string, a Uint8Array, an ArrayBuffer or a Model, got ${model === null ? 'null' : typeof model}`,
  );
}

function metadataOf(bytes: Uint8Array, name: string): Record<string, string> {
  try {
    return readMetadataProps(bytes);
  } catch (e) {
    throw new ModelFormatError('not-protobuf', `${name}: not an ONNX model (${(e as Error).message})`, { cause: e });
  }
}

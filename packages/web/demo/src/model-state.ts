import { decodeModel, fetchModel, getLabels, type ByteStore, type LoadProgress, type Model } from '@onnxkit/web';

/** Storage keys of the fine-tuned model and of the examples it was taught with. */
export const MODEL_KEY = 'demo/model.onnx';
export const EXAMPLES_KEY = 'demo/examples.bin';
/** The shipped model, served by serve.ts from models/onnx. */
export const SHIPPED_URL = '/models/mnist-cnn.onnx';

/** Where the model in use came from. */
export type ModelSource = 'shipped' | 'storage' | 'edited' | 'fine-tuned';

/** The model in use: bytes for sessions, the IR for training and editing, its class labels. */
export interface CurrentModel {
  readonly bytes: Uint8Array;
  readonly model: Model;
  readonly labels: string[];
  readonly source: ModelSource;
}

/** Wraps model bytes; labels come from the model's metadata (class indices when it has none). */
export function fromBytes(bytes: Uint8Array, source: ModelSource): CurrentModel {
  const model = decodeModel(bytes);
  return { bytes, model, labels: labelsOf(model), source };
}

/** The classes a model predicts, from its `onnxkit.labels` metadata. */
export function labelsOf(model: Model): string[] {
  const labels = getLabels(model);
  if (labels) return [...labels];
  const out = model.graph.outputs[0]?.type;
  const classes = out?.kind === 'tensor' ? out.shape?.[out.shape.length - 1] : undefined;
  return Array.from({ length: typeof classes === 'number' ? classes : 10 }, (_, i) => String(i));
}

/** The fine-tuned model from browser storage when there is one, else the shipped model (downloaded with progress). */
export async function initialModel(store: ByteStore, onProgress: (p: LoadProgress) => void): Promise<CurrentModel> {
  const stored = await store.get(MODEL_KEY);
  if (stored) return fromBytes(stored, 'storage');
  return fromBytes(await fetchModel(SHIPPED_URL, { onProgress }), 'shipped');
}

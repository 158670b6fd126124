import type { ImageDataset } from '../data/dataset.js';
import { decodeModel } from '../onnx/codec/decode-model.js';
import { encodeModel } from '../onnx/codec/model-codec.js';
import type { Model } from '../onnx/ir.js';
import type { DeviceOption } from '../runtime/device.js';
import { createSession } from '../runtime/session.js';
import { calibrationFeeds } from './calibration-data.js';

/** Options of {@link modelAccuracy}. */
export interface ModelAccuracyOptions {
  /** @defaultValue 'cpu' */
  device?: DeviceOption;
  /** @defaultValue 256 */
  batchSize?: number;
  /** Output holding the class scores. @defaultValue the model's first output */
  output?: string;
}

/**
 * Top-1 accuracy of an image classifier (probabilities or logits, argmax over the last axis) on a
 * labelled dataset, run on the given device: how quantization is judged before and after.
 */
export async function modelAccuracy(model: Model | Uint8Array, data: ImageDataset, options: ModelAccuracyOptions = {}): Promise<{ accuracy: number; count: number; predictions: Int32Array }> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  const session = await createSession(bytes, { device: options.device ?? 'cpu' });
  try {
    const output = options.output ?? session.outputs[0]?.name;
    if (!output || !session.outputs.some((o) => o.name === output)) {
      throw new RangeError(`modelAccuracy: no output '${String(output)}'; outputs: ${session.outputs.map((o) => o.name).join(', ')}`);
    }
    // Feeds are laid out from the model's declared input shape.
    const decoded = model instanceof Uint8Array ? decodeModel(model) : model;
    const predictions = new Int32Array(data.count);
    let k = 0;
    let correct = 0;
    for (const feeds of calibrationFeeds(decoded, data, options.batchSize ?? 256)) {
      const out = (await session.run(feeds, { outputs: [output] }))[output];
      const scores = (await out.getData()) as Float32Array;
      const classes = out.dims[out.dims.length - 1];
      const n = scores.length / classes;
      for (let i = 0; i < n; i++, k++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (scores[i * classes + c] > scores[i * classes + best]) best = c;
        predictions[k] = best;
        if (best === data.labels[k]) correct++;
      }
    }
    // A fixed batch size can leave a remainder unscored; count only what ran.
    return { accuracy: k ? correct / k : 0, count: k, predictions: predictions.subarray(0, k) };
  } finally {
    await session.release();
  }
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { KerasModel } from '@onnxkit/core';

/** Shared fixtures, never copied into the repo. */
export const fixtures = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/fixtures');

/**
 * Loads a TF.js Layers model.json and its shards with TF.js itself (its own topology and weight readers,
 * quantization included): the independent reference.
 */
export async function tfjsFromModelJson(file: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const data = Buffer.concat(json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(path.dirname(file), p)))));
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }));
}

/**
 * Builds a Keras model in TF.js from its topology JSON (TF.js's own Keras deserializer) and sets each
 * layer's weights to the arrays the file holds. TF.js reads Keras 2 configs; Keras 3's few renamed
 * fields (`batch_shape`, DTypePolicy objects) are rewritten to their Keras 2 spelling first.
 */
export async function tfjsFromKeras(source: KerasModel): Promise<tf.LayersModel> {
  const model = await tf.models.modelFromJSON({ modelTopology: toKeras2(source.config) as tf.io.ModelJSON['modelTopology'] });
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = source.weights.layer(layer.name);
    if (!values) throw new Error(`no weights for layer ${layer.name}`);
    layer.setWeights(values.map((v) => tf.tensor(v.data, v.shape)));
  }
  return model;
}

function toKeras2(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toKeras2);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'module' || k === 'registered_name' || k === 'build_config' || k === 'compile_config') continue;
    const rec = x as Record<string, unknown> | null;
    if (k === 'dtype' && typeof rec === 'object' && rec !== null) out.dtype = (rec.config as { name: string }).name;
    else if (k === 'batch_shape') out.batch_input_shape = x;
    else out[k] = toKeras2(x);
  }
  return out;
}

/** Runs a TF.js model on `images` (NHWC or [N, H, W], matching its input) and returns every output's values. */
export function tfjsPredict(model: tf.LayersModel, images: Float32Array, count: number): Float32Array[] {
  return tf.tidy(() => {
    const shape = [count, ...(model.inputs[0].shape.slice(1) as number[])];
    const out = model.predict(tf.tensor(images, shape));
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

import * as tf from '@tensorflow/tfjs';

import { seeded } from '../support/random.js';

export { seeded };

/** Gives every weight of `model` seeded values in ±scale (variances positive), biases and BN statistics included. */
export function randomizeWeights(model: tf.LayersModel, seed: number, scale = 0.5): void {
  const rand = seeded(seed);
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    layer.setWeights(
      layer.weights.map((w) => {
        const shape = w.shape as number[];
        const n = shape.reduce((a, b) => a * b, 1);
        const positive = /variance/.test(w.name);
        const values = Float32Array.from({ length: n }, () => (positive ? 0.5 + rand() : (rand() * 2 - 1) * scale));
        return tf.tensor(values, shape);
      }),
    );
  }
}

/**
 * A Functional model using every layer and activation the converter supports (TF's asymmetric same
 * padding with strides, dilation, depthwise and separable convolutions, BN, padding and cropping, both
 * poolings with same padding, merges, global pools, Dense on a 3-D tensor, …) with two outputs: a
 * feature map and the class probabilities. `gelu: false` swaps the gelu Dense activation (Erf) for relu.
 */
export function allLayersModel(options: { gelu?: boolean } = {}): tf.LayersModel {
  const L = tf.layers;
  const input = tf.input({ shape: [28, 28, 1], name: 'image' });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const c1 = apply(L.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6', name: 'conv_same_s2' }), input);
  const c2 = apply(L.conv2d({ filters: 6, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'elu', name: 'conv_dilated' }), c1);
  const dw = apply(L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'selu', name: 'depthwise' }), c2);
  const sep = apply(L.separableConv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'swish', name: 'separable' }), dw);
  const bn = apply(L.batchNormalization({ name: 'bn' }), sep);
  const pad = apply(L.zeroPadding2d({ padding: [[1, 2], [0, 1]], name: 'pad' }), bn);
  const crop = apply(L.cropping2D({ cropping: [[1, 0], [2, 1]], name: 'crop' }), pad);
  const mp = apply(L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'maxpool_same' }), crop);
  const ap = apply(L.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'avgpool_same' }), crop);
  const relu = apply(L.reLU({ maxValue: 1.5, name: 'relu_max' }), mp);
  const leaky = apply(L.leakyReLU({ alpha: 0.2, name: 'leaky' }), ap);
  const cat = apply(L.concatenate({ axis: -1, name: 'concat_channels' }), [relu, leaky]);
  const added = apply(L.add({ name: 'add' }), [relu, leaky]);
  const tanh = apply(L.activation({ activation: 'tanh', name: 'tanh' }), mp);
  const mult = apply(L.multiply({ name: 'multiply' }), [added, tanh]);
  const sig = apply(L.activation({ activation: 'sigmoid', name: 'sigmoid' }), mult);
  const gap = apply(L.globalAveragePooling2d({ name: 'gap' }), cat);
  const gmp = apply(L.globalMaxPooling2d({ name: 'gmp' }), sig);
  const flat = apply(L.flatten({ name: 'flatten' }), cat);
  const feats = apply(L.concatenate({ name: 'concat_features' }), [gap, gmp, flat]);
  const d1 = apply(L.dense({ units: 32, activation: options.gelu === false ? 'relu' : 'gelu', name: 'dense_act' }), feats);
  const drop = apply(L.dropout({ rate: 0.5, name: 'dropout' }), d1);
  const elu = apply(L.elu({ name: 'elu' }), drop);
  const r = apply(L.reshape({ targetShape: [4, 8], name: 'reshape' }), elu);
  const d2 = apply(L.dense({ units: 5, activation: 'linear', name: 'dense_3d' }), r);
  const f2 = apply(L.flatten({ name: 'flatten_3d' }), d2);
  const logits = apply(L.dense({ units: 10, name: 'logits' }), f2);
  const probs = apply(L.softmax({ name: 'probs' }), logits);
  return tf.model({ inputs: input, outputs: [bn, probs], name: 'all_layers' });
}

/** A TF.js model saved in memory the way `model.save` writes it: model.json and its one shard. */
export interface SavedTfjs {
  json: { modelTopology: object; format: string; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  shard: Uint8Array;
}

/** Saves a TF.js model to memory (model.json + `weights.bin`). */
export async function saveTfjs(model: tf.LayersModel): Promise<SavedTfjs> {
  let saved: SavedTfjs | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData as ArrayBuffer;
      saved = {
        json: { modelTopology: a.modelTopology as object, format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }] },
        shard: new Uint8Array(data.slice(0)),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

/** float32 → IEEE half bits (round to nearest even), for writing float16-quantized shards. */
function floatToHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (exp << 10) | (mant >> 13);
  const rest = mant & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/**
 * Quantizes a saved model's float32 weights the way tensorflowjs_converter's `--quantize_*` does:
 * uint8/uint16 with per-tensor `min` and `scale` in the manifest (q = round((v − min) / scale)), or
 * float16; non-float weights are kept. Returns a new model.json and shard.
 */
export function quantize(saved: SavedTfjs, dtype: 'uint8' | 'uint16' | 'float16'): SavedTfjs {
  const view = new DataView(saved.shard.buffer, saved.shard.byteOffset, saved.shard.byteLength);
  const parts: Uint8Array[] = [];
  let offset = 0;
  const weights = saved.json.weightsManifest[0].weights.map((spec) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype !== 'float32') {
      // The converter quantizes float weights only (a graph model's int32 shapes and axes stay as they are).
      parts.push(saved.shard.slice(offset, offset + n * 4));
      offset += n * 4;
      return spec;
    }
    const values = Array.from({ length: n }, (_, i) => view.getFloat32(offset + i * 4, true));
    offset += n * 4;
    if (dtype === 'float16') {
      const out = new DataView(new ArrayBuffer(n * 2));
      values.forEach((v, i) => out.setUint16(i * 2, floatToHalf(v), true));
      parts.push(new Uint8Array(out.buffer));
      return { ...spec, quantization: { dtype } };
    }
    const levels = dtype === 'uint8' ? 255 : 65535;
    const min = Math.min(...values);
    const max = Math.max(...values);
    const scale = max > min ? (max - min) / levels : 1;
    const out = new DataView(new ArrayBuffer(n * (dtype === 'uint8' ? 1 : 2)));
    values.forEach((v, i) => {
      const q = Math.round((v - min) / scale);
      if (dtype === 'uint8') out.setUint8(i, q);
      else out.setUint16(i * 2, q, true);
    });
    parts.push(new Uint8Array(out.buffer));
    return { ...spec, quantization: { dtype, min, scale } };
  });
  const shard = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    shard.set(p, at);
    at += p.length;
  }
  return { json: { ...saved.json, weightsManifest: [{ paths: ['weights.bin'], weights }] }, shard };
}

/** Loads a saved (possibly quantized) model back with TF.js's own loader. */
export function loadTfjs(saved: SavedTfjs): Promise<tf.LayersModel> {
  const data = saved.shard.buffer.slice(saved.shard.byteOffset, saved.shard.byteOffset + saved.shard.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: saved.json.modelTopology, weightSpecs: saved.json.weightsManifest[0].weights, weightData: data }));
}

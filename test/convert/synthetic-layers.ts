import * as tf from '@tensorflow/tfjs';

/**
 * A Functional model of the layers published Keras models use beyond the all-layers model:
 * Conv2DTranspose (same; valid with k > s; valid with k < s, where Keras's output is longer than the
 * full transpose), UpSampling2D (nearest), PReLU (shared over H, W; and per element), LayerNormalization,
 * and the hard_sigmoid, softplus, softsign, mish, elu and selu activations. `transpose: false` leaves out
 * the layers without gradient rules (Conv2DTranspose, UpSampling2D) for the fine-tuning test.
 */
export function newLayersModel(options: { transpose?: boolean } = {}): tf.LayersModel {
  const L = tf.layers;
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const input = tf.input({ shape: [28, 28, 1], name: 'image' });
  const small = apply(L.maxPooling2d({ poolSize: 2, name: 'down' }), input);
  const base = apply(L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'softplus', name: 'base' }), small);
  let features: tf.SymbolicTensor;
  if (options.transpose === false) {
    features = apply(L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'stand_in' }), base);
  } else {
    const same = apply(L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'deconv_same' }), base);
    const valid = apply(L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'valid', activation: 'hardSigmoid', name: 'deconv_valid' }), base);
    const wide = apply(L.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 3, padding: 'valid', useBias: false, name: 'deconv_k_lt_s' }), base);
    const up = apply(L.upSampling2d({ size: [2, 2], name: 'upsample' }), base);
    const pooledValid = apply(L.globalAveragePooling2d({ name: 'gap_valid' }), valid);
    const pooledWide = apply(L.globalMaxPooling2d({ name: 'gmp_wide' }), wide);
    const merged = apply(L.concatenate({ name: 'concat_up' }), [same, up]);
    features = apply(L.conv2d({ filters: 4, kernelSize: 3, strides: 4, padding: 'same', activation: 'mish', name: 'mix' }), merged);
    const side = apply(L.concatenate({ name: 'side' }), [pooledValid, pooledWide]);
    const sideDense = apply(L.dense({ units: 4, activation: 'softsign', name: 'side_dense' }), side);
    const gap = apply(L.globalAveragePooling2d({ name: 'gap' }), features);
    features = apply(L.reshape({ targetShape: [1, 1, 4], name: 'as_image' }), apply(L.add({ name: 'with_side' }), [gap, sideDense]));
  }
  const prelu = apply(L.prelu({ sharedAxes: [1, 2], name: 'prelu_shared' }), features);
  const flat = apply(L.flatten({ name: 'flatten' }), prelu);
  const d1 = apply(L.dense({ units: 12, activation: 'elu', name: 'dense_elu' }), flat);
  const ln = apply(L.layerNormalization({ name: 'layer_norm', epsilon: 1e-3 }), d1);
  const preluFull = apply(L.prelu({ name: 'prelu_full' }), ln);
  const d2 = apply(L.dense({ units: 10, activation: 'selu', name: 'dense_selu' }), preluFull);
  const logits = apply(L.dense({ units: 10, name: 'logits' }), d2);
  const probs = apply(L.softmax({ name: 'probs' }), logits);
  return tf.model({ inputs: input, outputs: [prelu, probs], name: 'new_layers' });
}

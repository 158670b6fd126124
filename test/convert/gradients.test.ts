import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { convertKeras, createSession, encodeModel, generateArtifacts, type ConvertResult } from '@onnxkit/node';
import { permuteData } from '../../packages/core/src/convert/layers/permute-data.js';
import { saveTfjs, seeded, randomizeWeights } from './synthetic-models.js';

// Keras weight layout → the converted initializer's layout (4-D kernels only).
const PERMS: Record<string, number[]> = { kernel: [3, 2, 0, 1], pointwise_kernel: [3, 2, 0, 1], depthwise_kernel: [2, 3, 0, 1] };
const L = tf.layers;
const N = 2;
const rand = seeded(11);
const x = Float32Array.from({ length: N * 7 * 7 * 4 }, () => rand() * 2 - 1);
const labels = Float32Array.from([1, 0, 0, 0, 0, 1]);

type Body = (x: tf.SymbolicTensor) => tf.SymbolicTensor;
const ap = (layer: tf.layers.Layer) => (t: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(t) as tf.SymbolicTensor;

/** A tiny model: [N, 7, 7, 4] → the layer(s) under test → Flatten → Dense(3) → Softmax, with seeded weights. */
async function build(body: Body): Promise<{ model: tf.LayersModel; converted: ConvertResult }> {
  const input = tf.input({ shape: [7, 7, 4], name: 'x' });
  const h = body(input);
  const flat = h.shape.length > 2 ? ap(L.flatten())(h) : h;
  const model = tf.model({ inputs: input, outputs: ap(L.softmax({ name: 'probs' }))(ap(L.dense({ units: 3, name: 'logits' }))(flat)) });
  randomizeWeights(model, 2, 0.4);
  const saved = await saveTfjs(model);
  const converted = await convertKeras({ model: new Uint8Array(Buffer.from(JSON.stringify(saved.json))), readFile: () => saved.shard });
  return { model, converted };
}

/** onnxkit's training graph: loss, dLoss/dx and every parameter gradient (in Keras layout). */
async function onnxkitGradients(converted: ConvertResult): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const artifacts = generateArtifacts(converted.model, { inputGradients: true });
  const session = await createSession(encodeModel(artifacts.trainingModel), { device: 'cpu', intraOpNumThreads: 1 });
  try {
    const feeds: Record<string, { data: Float32Array; dims: number[] }> = { x: { data: x, dims: [N, 7, 7, 4] }, labels: { data: labels, dims: [N, 3] } };
    const params = converted.model.graph.initializers.filter((t) => artifacts.summary.trainable.some((p) => p.name === t.name));
    for (const t of params) feeds[t.name] = { data: t.data as Float32Array, dims: t.dims };
    const out = await session.run(feeds);
    const grads = new Map<string, Float32Array>([['x', (await out.x_grad.getData()) as Float32Array]]);
    for (const t of params) grads.set(t.name, (await out[`${t.name}_grad`].getData()) as Float32Array);
    return { loss: (await out.loss.getData())[0] as number, grads };
  } finally {
    await session.release();
  }
}

/** TF.js's own autodiff of the same loss (mean softmax cross-entropy), inference mode, in the converted layouts. */
function tfjsGradients(model: tf.LayersModel): { loss: number; grads: Map<string, Float32Array> } {
  const xt = tf.tensor(x, [N, 7, 7, 4]);
  const yt = tf.tensor(labels, [N, 3]);
  const loss = (input: tf.Tensor) => tf.losses.softmaxCrossEntropy(yt, tf.log(model.apply(input, { training: false }) as tf.Tensor)) as tf.Scalar;
  const dx = tf.grad(loss)(xt);
  const grads = new Map<string, Float32Array>([['x', dx.dataSync() as Float32Array]]);
  const { value, grads: vg } = tf.variableGrads(() => loss(xt));
  for (const w of model.trainableWeights) {
    const g = vg[(w.read() as tf.Variable).name];
    const perm = g.shape.length === 4 ? PERMS[w.originalName.split('/').pop()!] : undefined;
    grads.set(w.originalName, perm ? permuteData(g.dataSync() as Float32Array, g.shape, perm) : (g.dataSync() as Float32Array));
  }
  const result = { loss: value.dataSync()[0], grads };
  tf.dispose([xt, yt, dx, value, ...Object.values(vg)]);
  return result;
}

/** max |a − b| / max |b| over every gradient. */
function worstRelative(got: Map<string, Float32Array>, expected: Map<string, Float32Array>): number {
  expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
  let worst = 0;
  for (const [name, e] of expected) {
    const g = got.get(name)!;
    expect(g.length).toBe(e.length);
    const scale = Math.max(1e-6, ...Array.from(e, Math.abs));
    for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(g[i] - e[i]) / scale);
  }
  return worst;
}

const CASES: [string, Body][] = [
  ['Conv2D same, stride 2, relu6', (t) => ap(L.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu6' }))(t)],
  ['DepthwiseConv2D ×2, selu', (t) => ap(L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'selu' }))(t)],
  ['SeparableConv2D, swish', (t) => ap(L.separableConv2d({ filters: 3, kernelSize: 3, padding: 'valid', activation: 'swish' }))(t)],
  ['BatchNormalization, elu', (t) => ap(L.activation({ activation: 'elu' }))(ap(L.batchNormalization({}))(t))],
  ['ZeroPadding2D + Cropping2D', (t) => ap(L.cropping2D({ cropping: [[2, 0], [1, 2]] }))(ap(L.zeroPadding2d({ padding: [[1, 2], [0, 1]] }))(t))],
  ['MaxPooling2D same', (t) => ap(L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }))(t)],
  ['AveragePooling2D valid', (t) => ap(L.averagePooling2d({ poolSize: 2, strides: 2 }))(t)],
  ['ReLU(max) + LeakyReLU + Concatenate', (t) => ap(L.concatenate())([ap(L.reLU({ maxValue: 0.5 }))(t), ap(L.leakyReLU({ alpha: 0.2 }))(t)])],
  ['Add + Multiply + tanh + sigmoid', (t) => ap(L.multiply())([ap(L.add())([t, ap(L.activation({ activation: 'tanh' }))(t)]), ap(L.activation({ activation: 'sigmoid' }))(t)])],
  ['GlobalAverage + GlobalMax pooling', (t) => ap(L.concatenate())([ap(L.globalAveragePooling2d({}))(t), ap(L.globalMaxPooling2d({}))(t)])],
  ['Reshape + Dense on 3-D', (t) => ap(L.dense({ units: 2 }))(ap(L.reshape({ targetShape: [14, 14] }))(t))],
  ['Average + Permute + Rescaling + noise layers', (t) =>
    ap(L.gaussianNoise({ stddev: 0.3 }))(ap(L.permute({ dims: [3, 1, 2] }))(ap(L.average())([ap(L.rescaling({ scale: 0.5, offset: 0.25 }))(t), ap(L.alphaDropout({ rate: 0.2 }))(t)])))],
  ['PReLU shared over H, W, after softplus', (t) => ap(L.prelu({ sharedAxes: [1, 2] }))(ap(L.activation({ activation: 'softplus' }))(t))],
  ['LayerNormalization, mish', (t) => ap(L.activation({ activation: 'mish' }))(ap(L.layerNormalization({}))(t))],
  ['PReLU per element + hard_sigmoid + softsign', (t) =>
    ap(L.add())([ap(L.prelu({}))(t), ap(L.activation({ activation: 'hardSigmoid' }))(t), ap(L.activation({ activation: 'softsign' }))(t)])],
];

describe('gradients through converted layers match TF.js autodiff (input and every parameter)', () => {
  it.each(CASES)('%s', async (_, body) => {
    const { model, converted } = await build(body);
    const expected = tfjsGradients(model);
    const got = await onnxkitGradients(converted);
    expect(got.loss).toBeCloseTo(expected.loss, 5);
    expect(worstRelative(got.grads, expected.grads)).toBeLessThan(1e-4);
  });

  it('AveragePooling2D with same padding matches finite differences (TF.js CPU ignores the excluded padding in its gradient)', async () => {
    const { converted } = await build((t) => ap(L.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' }))(t));
    const got = (await onnxkitGradients(converted)).grads.get('x')!;
    const forward = await createSession(encodeModel(converted.model), { device: 'cpu', intraOpNumThreads: 1 });
    const loss = async (input: Float32Array) => {
      const p = (await (await forward.run({ x: { data: input, dims: [N, 7, 7, 4] } })).probs.getData()) as Float32Array;
      return -(Math.log(p[0]) + Math.log(p[5])) / N;
    };
    // Border pixels (index 24: row 0, col 6; 195: the last) sit in windows that overhang the input.
    for (const i of [0, 24, 27, 168, 195]) {
      const e = 1e-2;
      const plus = x.slice();
      plus[i] += e;
      const minus = x.slice();
      minus[i] -= e;
      const numeric = ((await loss(plus)) - (await loss(minus))) / (2 * e);
      expect(got[i]).toBeCloseTo(numeric, 4);
    }
    await forward.release();
  });
});

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { convertKeras, generateArtifacts, loadMnistDigits, oneHot, selectExamples, Trainer, type ConvertOptions } from '@onnxkit/node';
import { maxAbsDiff, runConverted } from './compare.js';
import { newLayersModel } from './synthetic-layers.js';
import { randomizeWeights, saveTfjs, type SavedTfjs } from './synthetic-models.js';
import { tfjsPredict } from './tfjs-reference.js';

const digits = loadMnistDigits({ perClass: 2 });
const convert = (s: SavedTfjs, options: ConvertOptions = {}) => convertKeras({ model: new Uint8Array(Buffer.from(JSON.stringify(s.json))), readFile: () => s.shard }, options);

describe('Conv2DTranspose, UpSampling2D, PReLU, LayerNormalization and more activations vs TF.js', () => {
  it('match TF.js within 1e-4 on both outputs, NHWC and NCHW, opsets 13 and 21', async () => {
    const model = newLayersModel();
    randomizeWeights(model, 11);
    const expected = tfjsPredict(model, digits.images, digits.count);
    const saved = await saveTfjs(model);
    const r = await convert(saved);
    const ops = new Set(r.model.graph.nodes.map((n) => n.opType));
    for (const op of ['ConvTranspose', 'Resize', 'ReduceMean', 'Sqrt', 'Log', 'Div']) expect(ops).toContain(op);
    expect(maxAbsDiff(await runConverted(r.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
    const nchw = await convert(saved, { layout: 'NCHW' });
    expect(maxAbsDiff(await runConverted(nchw.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
    for (const opset of [13, 21]) {
      const o = await convert(saved, { opset });
      expect(maxAbsDiff(await runConverted(o.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('UpSampling2D(bilinear) samples at half-pixel centres, as Keras (tf.image.resize) does', async () => {
    const input = tf.input({ shape: [28, 28, 1], name: 'image' });
    const up = tf.layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear', name: 'up' }).apply(input) as tf.SymbolicTensor;
    const r = await convert(await saveTfjs(tf.model({ inputs: input, outputs: up })));
    // TF.js's layer resizes without half-pixel centres; Keras's is tf.image.resize, i.e. halfPixelCenters.
    const expected = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(digits.images, [digits.count, 28, 28, 1]), [56, 84], false, true).dataSync() as Float32Array);
    expect(r.outputs[0].shape).toEqual(['N', 56, 84, 1]);
    expect(maxAbsDiff(await runConverted(r.model, digits.images, digits.count), [expected])).toBeLessThanOrEqual(1e-5);
  });

  it('one training step lowers the loss (PReLU, LayerNormalization and the activations have gradient rules)', async () => {
    const model = newLayersModel({ transpose: false });
    randomizeWeights(model, 4, 0.3);
    const converted = await convert(await saveTfjs(model), { outputs: 'last' });
    const trainer = await Trainer.create(generateArtifacts(converted.model, { optimizer: 'adam', output: converted.card.prediction }), { device: 'cpu', intraOpNumThreads: 1 });
    try {
      const b = selectExamples(digits, Array.from({ length: 16 }, (_, i) => i % digits.count));
      const inputs = { image: { data: b.images, dims: [16, 28, 28, 1] } };
      const labels = { data: oneHot(b.labels, 10), dims: [16, 10] };
      const before = (await trainer.evalStep(inputs, labels)).loss;
      await trainer.trainStep(inputs, labels);
      await trainer.optimizerStep({ learningRate: 1e-2 });
      expect((await trainer.evalStep(inputs, labels)).loss).toBeLessThan(before);
    } finally {
      await trainer.release();
    }
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Classifier, convertKeras, generateArtifacts, oneHot, selectExamples, Trainer, type ConvertOptions, type ConvertResult } from '@onnxkit/node';
import { loadMnistDigits } from '@onnxkit/node';
import { fixturePath } from './fixture-models.js';
import { allLayersModel, randomizeWeights, saveTfjs } from './synthetic-models.js';

const digits = loadMnistDigits({ perClass: 4 });
const cpu = { device: 'cpu' as const, intraOpNumThreads: 1 };

/** Loss on a fixed batch, one optimizer step, loss again: what fine-tuning a converted model needs to work. */
async function oneStep(converted: ConvertResult, learningRate: number): Promise<{ before: number; after: number }> {
  const output = converted.card.prediction;
  const artifacts = generateArtifacts(converted.model, { optimizer: 'adam', output });
  const trainer = await Trainer.create(artifacts, cpu);
  try {
    const batch = selectExamples(digits, Array.from({ length: 32 }, (_, i) => (i * 7) % digits.count));
    const dims = converted.inputs[0].shape.map((d, i) => (i === 0 ? 32 : (d as number)));
    const inputs = { [converted.inputs[0].name]: { data: batch.images, dims } };
    const labels = { data: oneHot(batch.labels, 10), dims: [32, 10] };
    const before = (await trainer.evalStep(inputs, labels)).loss;
    await trainer.trainStep(inputs, labels);
    await trainer.optimizerStep({ learningRate });
    const after = (await trainer.evalStep(inputs, labels)).loss;
    return { before, after };
  } finally {
    await trainer.release();
  }
}

const fromFile = (rel: string, options: ConvertOptions = {}) => {
  const file = fixturePath(rel);
  return convertKeras({ model: readFileSync(file), readFile: (p) => readFileSync(path.join(path.dirname(file), p)) }, options);
};

describe('converted models are ordinary onnxkit models', () => {
  it('one training step of the converted Keras 3 CNN lowers its loss (NHWC input)', async () => {
    const { before, after } = await oneStep(await fromFile('keras/Arunkumar7812+Digit-recognizer-CNN/mnist_model.keras'), 1e-3);
    expect(after).toBeLessThan(before);
  });

  it('one training step of the untrained multi-output TF.js LeNet lowers its loss (NCHW input, prediction output)', async () => {
    const converted = await fromFile('tfjs/tensorspace/docs/tfjs/convertedModel/model.json', { layout: 'NCHW' });
    expect(converted.outputs).toHaveLength(8);
    const { before, after } = await oneStep(converted, 1e-3);
    expect(before).toBeGreaterThan(2);
    expect(after).toBeLessThan(before);
  });

  it('every layer type has gradients: one step on the all-layers model lowers its loss', async () => {
    const model = allLayersModel();
    randomizeWeights(model, 3, 0.3);
    const saved = await saveTfjs(model);
    const converted = await convertKeras({ model: new Uint8Array(Buffer.from(JSON.stringify(saved.json))), readFile: () => saved.shard });
    const { before, after } = await oneStep(converted, 1e-2);
    expect(after).toBeLessThan(before);
  });

  it('classifies with Classifier straight from the preprocessing spec it carries', async () => {
    const converted = await fromFile('tfjs/tensorspace/examples/lenet/lenetModel/mnist.json', { outputs: 'last' });
    expect(converted.preprocessing).toEqual({ layout: 'NHWC', height: 28, width: 28, channels: 1, scale: [0, 1], polarity: 'light-on-dark', procedure: 'mnist' });
    const classifier = await Classifier.load(converted.model, cpu);
    try {
      const results = await classifier.classifyTensor(digits.images, digits.count);
      const correct = results.filter((r, i) => r.index === digits.labels[i]).length;
      expect(correct / digits.count).toBeGreaterThan(0.85);
    } finally {
      await classifier.dispose();
    }
  });
});

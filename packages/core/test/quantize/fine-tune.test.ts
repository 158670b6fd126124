import { describe, expect, it } from 'vitest';
import {
  dequantizeForTraining,
  encodeModel,
  fit,
  generateArtifacts,
  modelAccuracy,
  quantizeModel,
  readRecipe,
  requantize,
  Trainer,
  type ImageDataset,
} from '@onnxkit/node';
import { digits, mnistCnn, ops, take } from './helpers.js';

/** The same digits with every label shifted by one: a new task the old head gets wrong. */
const shifted = (ds: ImageDataset): ImageDataset => ({ ...ds, labels: ds.labels.map((l) => (l + 1) % 10) });

describe('a quantized model still fine-tunes', () => {
  it('recovers the head in float, trains it, and quantizes it again', async () => {
    const { calibration, validation } = digits();
    const { model: q } = await quantizeModel(mnistCnn(), { calibration });

    // Q/DQ have no gradient, so the quantized graph itself has nothing to train.
    expect(() => generateArtifacts(q)).toThrow(/no trainable parameters.*this model is quantized: recover float weights with dequantizeForTraining/);

    const { model: float, parameters, recipe, metadata } = dequantizeForTraining(q, { parameters: ['fc2.weight', 'fc2.bias'] });
    expect(Object.keys(metadata)).toEqual(expect.arrayContaining(['onnxkit.labels', 'onnxkit.preprocessing']));
    expect(parameters).toEqual(['fc2.weight', 'fc2.bias']);
    expect(recipe).toEqual(readRecipe(q));
    // The backbone stays int8 behind DequantizeLinear (frozen); activation Q/DQ pairs are gone, ReLUs back.
    expect(ops(float)).not.toContain('QuantizeLinear');
    expect(ops(float).filter((o) => o === 'Relu')).toHaveLength(4);
    expect(float.graph.initializers.find((t) => t.name === 'conv1.weight_quantized')!.dtype).toBe('int8');
    expect((await modelAccuracy(float, validation)).accuracy).toBeGreaterThan(0.98);

    const artifacts = generateArtifacts(float);
    expect(artifacts.summary.trainable.map((t) => t.name)).toEqual(['fc2.weight', 'fc2.bias']);
    const trainer = await Trainer.create(artifacts, { device: 'cpu' });
    const task = shifted(take(calibration, 300));
    const before = (await modelAccuracy(float, shifted(validation))).accuracy;
    const result = await fit(trainer, task, { epochs: 3, batchSize: 32, learningRate: 0.01, seed: 1 });
    expect(result.stopReason).toBe('completed');
    const trained = await trainer.exportModelForInference();
    await trainer.release();
    const floatAfter = (await modelAccuracy(trained, shifted(validation))).accuracy;
    expect(before).toBeLessThan(0.05);
    expect(floatAfter).toBeGreaterThan(0.9);

    // Re-quantize: recalibrated (the new head's logits have new ranges), and with the recipe's ranges.
    const again = await requantize(trained, { recipe, calibration: task, metadata });
    expect(again.model.metadata['onnxkit.labels']).toBe(q.metadata['onnxkit.labels']);
    const int8After = (await modelAccuracy(again.model, shifted(validation))).accuracy;
    expect(floatAfter - int8After).toBeLessThanOrEqual(0.01);
    expect(encodeModel(again.model).byteLength).toBeLessThanOrEqual(encodeModel(q).byteLength * 1.02);
    const reused = await requantize(trained, { recipe });
    expect((await modelAccuracy(reused.model, shifted(validation))).accuracy).toBeGreaterThan(0.9);
  });

  it('dequantizes everything back to the float graph, and requantizes it bit for bit', async () => {
    const { calibration } = digits();
    const { model: q } = await quantizeModel(mnistCnn(), { calibration });
    const full = dequantizeForTraining(q);
    expect(full.parameters).toHaveLength(10);
    expect(ops(full.model)).toEqual(ops(mnistCnn()));
    const again = await requantize(full.model, { recipe: full.recipe });
    expect(encodeModel(again.model)).toEqual(encodeModel(q));
  });

  it('names the quantized weights when asked for another', async () => {
    const { calibration } = digits();
    const { model: q } = await quantizeModel(mnistCnn(), { calibration });
    expect(() => dequantizeForTraining(q, { parameters: ['head.weight'] })).toThrow(/'head.weight' is no quantized weight.*fc2.weight/);
    await expect(requantize(mnistCnn())).rejects.toThrow(/no recipe/);
  });
});

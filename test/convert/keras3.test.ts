import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { convertKeras } from '@onnxkit/core';
import { loadMnistDigits } from '@onnxkit/node';
import { accuracy, maxAbsDiff, runConverted } from './compare.js';
import { fixturePath } from './fixture-models.js';
import { tfjsFromModelJson, tfjsPredict } from './tfjs-reference.js';

// Files written by scripts/fixtures/keras3_files.py in Keras 3's layout: layers named conv2d_1, conv2d_2, …
// but stored at layers/conv2d, layers/conv2d_1, … (by class and position, as Keras 3 saves them).
const dir = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../fixtures/keras3');
const file = (name: string) => readFileSync(path.join(dir, name));
const digits = loadMnistDigits({ perClass: 3 });

describe('Keras 3 files with auto-numbered layer names', () => {
  it('a .keras archive: weights resolved by layer order, outputs match TF.js on real digits', async () => {
    const expected = tfjsPredict(await tfjsFromModelJson(path.join(dir, 'auto-numbered.tfjs.json')), digits.images, digits.count);
    const r = await convertKeras({ model: file('auto-numbered.keras'), fileName: 'auto-numbered.keras' });
    expect(r.format).toBe('keras-v3');
    expect(r.kerasVersion).toBe('3.11.3');
    expect(r.card.layers.map((l) => l.name)).toContain('conv2d_1');
    // The first Conv2D's kernel comes from layers/conv2d (its name, conv2d_1, is the second conv's key).
    const kernel = r.model.graph.initializers.find((t) => t.name === 'conv2d_1/kernel');
    expect(kernel?.dims).toEqual([4, 1, 3, 3]);
    const got = await runConverted(r.model, digits.images, digits.count);
    expect(maxAbsDiff(got, expected)).toBeLessThanOrEqual(1e-4);
    // Not a degenerate model: the probabilities vary between digits.
    expect(accuracy(got[0], digits.labels)).toBeLessThan(1);
    expect(Math.max(...got[0]) - Math.min(...got[0])).toBeGreaterThan(0.05);
  });

  it('a topology JSON with a separate Keras 3 .weights.h5 converts to the same numbers', async () => {
    const expected = tfjsPredict(await tfjsFromModelJson(path.join(dir, 'auto-numbered.tfjs.json')), digits.images, digits.count);
    const r = await convertKeras({ model: file('auto-numbered.json'), weights: file('auto-numbered.weights.h5') });
    expect(r.format).toBe('keras-json');
    expect(maxAbsDiff(await runConverted(r.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
  });
});

describe('Keras 3 models with nested models and preprocessing layers', () => {
  it('a Functional model with a Sequential backbone converts (inlined) and matches the flattened model in TF.js', async () => {
    const expected = tfjsPredict(await tfjsFromModelJson(path.join(dir, 'nested.tfjs.json')), digits.images, digits.count);
    const r = await convertKeras({ model: file('nested.keras') });
    expect(r.card.layers.map((l) => l.className)).toEqual(['InputLayer', 'Sequential', 'GlobalAveragePooling2D', 'Dense', 'Conv2D', 'BatchNormalization', 'MaxPooling2D', 'Conv2D']);
    expect(r.model.graph.initializers.map((t) => t.name)).toContain('conv2d_5/kernel');
    expect(maxAbsDiff(await runConverted(r.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
  });

  it('a leading Normalization on raw pixels is recorded as scale [0, 255]; Keras 3 hard_sigmoid is relu6(x + 3) / 6', async () => {
    const raw = digits.images.map((v) => v * 255);
    const expected = tfjsPredict(await tfjsFromModelJson(path.join(dir, 'normalized.tfjs.json')), raw, digits.count);
    const r = await convertKeras({ model: file('normalized.keras') });
    expect(r.preprocessing?.scale).toEqual([0, 255]);
    const got = await runConverted(r.model, raw, digits.count);
    expect(maxAbsDiff(got, expected)).toBeLessThanOrEqual(1e-4);
  });
});

describe('Keras 2 nested models', () => {
  it("a full-model .h5 with a Sequential backbone: the inner layers' weights come from the nested model's group", async () => {
    const expected = tfjsPredict(await tfjsFromModelJson(path.join(dir, 'nested.tfjs.json')), digits.images, digits.count);
    const r = await convertKeras({ model: file('nested.h5') });
    expect(r.format).toBe('keras-h5');
    expect(maxAbsDiff(await runConverted(r.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
  });
});

describe('a .keras archive with a separate Keras 3 .weights.h5', () => {
  it("uses the separate weights instead of the archive's (a checkpoint of the same model)", async () => {
    const expected = tfjsPredict(await tfjsFromModelJson(path.join(dir, 'auto-numbered.retrained.tfjs.json')), digits.images, digits.count);
    const own = tfjsPredict(await tfjsFromModelJson(path.join(dir, 'auto-numbered.tfjs.json')), digits.images, digits.count);
    expect(maxAbsDiff(own, expected)).toBeGreaterThan(1e-2);
    const r = await convertKeras({ model: file('auto-numbered.keras'), weights: file('auto-numbered.retrained.weights.h5') });
    expect(r.format).toBe('keras-v3');
    expect(maxAbsDiff(await runConverted(r.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
  });

  it("refuses Keras 2 weights for a .keras archive, and another model's weights with the layer named", async () => {
    const legacy = readFileSync(fixturePath('keras/tensorspace/docs/keras/rawModel/separated/weights.h5'));
    await expect(convertKeras({ model: file('auto-numbered.keras'), weights: legacy })).rejects.toThrow(/the weights file is not a Keras 3 weights file/);
    await expect(convertKeras({ model: file('nested.keras'), weights: file('auto-numbered.weights.h5') })).rejects.toThrow(/layer 'conv2d_4' \(Conv2D\): the weights have no entry for this layer/);
  });
});

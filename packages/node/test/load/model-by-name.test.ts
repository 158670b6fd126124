import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Classifier, createSession, FileAccessError } from '@onnxkit/node';
import { MODEL_NAMES, modelUrl } from '@onnxkit/models';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(__dirname, '../../../..');

/** A 28×28 white-on-black vertical stroke: a 1. */
function strokeOne(): Float32Array {
  const pixels = new Float32Array(784);
  for (let y = 4; y < 24; y++) for (let x = 13; x < 16; x++) pixels[y * 28 + x] = 1;
  return pixels;
}

describe('shipped models by name', () => {
  it('modelUrl points at the same bytes as models/onnx (one source of truth, copied at build)', async () => {
    for (const name of MODEL_NAMES) {
      const shipped = await readFile(fileURLToPath(modelUrl(name)));
      const source = await readFile(path.join(repoRoot, 'models/onnx', `${name}.onnx`));
      expect(shipped.equals(source)).toBe(true);
    }
  });

  it("createSession('mnist-cnn') runs the shipped digit model", async () => {
    const session = await createSession('mnist-cnn', { device: 'cpu' });
    try {
      expect(session.inputs[0]).toMatchObject({ name: 'input', dtype: 'float32' });
      const out = await session.run({ input: { data: strokeOne(), dims: [1, 1, 28, 28] } });
      const scores = Array.from(out[session.outputs[0].name].data as Float32Array);
      expect(scores.indexOf(Math.max(...scores))).toBe(1);
    } finally {
      await session.release();
    }
  });

  it("Classifier.load('fashion-cnn') reads the labels from the shipped model's metadata", async () => {
    const clf = await Classifier.load('fashion-cnn', { device: 'cpu' });
    try {
      expect(clf.labels).toHaveLength(10);
      expect(clf.labels).toContain('Trouser');
      const result = await clf.classify({ width: 28, height: 28, channels: 1, data: Uint8Array.from(strokeOne(), (v) => v * 255) }, { topK: 3 });
      expect(result.top).toHaveLength(3);
      expect(result.top[0].probability).toBeGreaterThanOrEqual(result.top[1].probability);
      expect(clf.labels).toContain(result.label);
    } finally {
      await clf.dispose();
    }
  });

  it('a string that is neither a file nor a shipped name fails listing the names', async () => {
    const err = await createSession('mnist-cnnn', { device: 'cpu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileAccessError);
    expect((err as FileAccessError).code).toBe('not-found');
    expect((err as Error).message).toMatch(/mnist-cnnn/);
    expect((err as Error).message).toContain("'mnist-cnn', 'fashion-cnn'");
    await expect(Classifier.load('no-such-model')).rejects.toThrow(/the names are 'mnist-cnn', 'fashion-cnn'/);
  });
});

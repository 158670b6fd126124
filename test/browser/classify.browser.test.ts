import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Classifier, loadMnistDigits, Random, splitDataset, type RawImage } from '@onnxkit/node';
import { encodeImage, nodeImageDecoder } from '../../packages/node/src/image/index.js';
import { browserSkipReason, repoRoot, runInBrowser } from './harness.js';

interface EntryResult {
  device: string;
  decoder: string;
  tensors: Record<string, number[]>[];
  probabilities: ([number, number][] | string)[];
  errors: string[];
}

/** Three held-out digits as PNGs: gray ink on paper, blue ink off-centre on RGB, black strokes on a transparent canvas. */
async function pngs(): Promise<Uint8Array[]> {
  const d = splitDataset(loadMnistDigits(), 1000, new Random(0)).validation;
  const at = (k: number, x: number, y: number, f: number) => d.images[k * 784 + Math.floor(y / f) * 28 + Math.floor(x / f)];
  const gray: RawImage = { width: 84, height: 84, channels: 1, data: Uint8Array.from({ length: 84 * 84 }, (_, i) => 250 - Math.round(230 * at(0, i % 84, Math.floor(i / 84), 3))) };
  const rgb = new Uint8Array(160 * 120 * 3);
  for (let y = 0; y < 120; y++) {
    for (let x = 0; x < 160; x++) {
      const v = x >= 90 && x < 146 && y >= 10 && y < 66 ? at(1, x - 90, y - 10, 2) : 0;
      rgb.set([240 - 215 * v, 232 - 197 * v, 214 - 104 * v].map(Math.round), (y * 160 + x) * 3);
    }
  }
  const rgba = new Uint8Array(112 * 112 * 4);
  for (let i = 0; i < 112 * 112; i++) rgba[i * 4 + 3] = Math.round(255 * at(2, i % 112, Math.floor(i / 112), 4));
  return Promise.all([
    encodeImage(gray, 'png'),
    encodeImage({ width: 160, height: 120, channels: 3, data: rgb }, 'png'),
    encodeImage({ width: 112, height: 112, channels: 4, data: rgba }, 'png'),
  ]);
}

if (browserSkipReason) console.warn(browserSkipReason);

describe.skipIf(browserSkipReason !== undefined)('Classifier in Chromium matches Node', () => {
  let images: Uint8Array[];
  let node: { tensors: Float32Array[]; top: [number, number][][] };
  beforeAll(async () => {
    images = await pngs();
    const clf = await Classifier.load(path.join(repoRoot, 'models/onnx/mnist-cnn.onnx'), { device: 'cpu', decoder: nodeImageDecoder });
    const tensors = await Promise.all(images.map((p) => clf.preprocess(p)));
    const results = await clf.classify(images, { topK: 10 });
    node = { tensors, top: results.map((r) => (r.ok ? r.top.map((t): [number, number] => [t.index, t.probability]) : [])) };
    await clf.dispose();
  });

  it('gives the same input tensor from the same PNG through every browser image kind, and the same labels', async () => {
    const entry = path.join(repoRoot, 'test/browser/entries/classify-entry.ts');
    const define = { __CLASSIFY_PNGS__: JSON.stringify(images.map((p) => Buffer.from(p).toString('base64'))) };
    const { result } = await runInBrowser<EntryResult>(entry, { define });
    expect(result.device).toBe('wasm');
    expect(result.decoder).toBe('canvas');
    expect(result.tensors).toHaveLength(3);
    let worst = 0;
    result.tensors.forEach((byKind, i) => {
      expect(Object.keys(byKind)).toEqual(['Blob', 'Uint8Array', 'URL', 'ImageBitmap', 'HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'ImageData']);
      for (const [kind, tensor] of Object.entries(byKind)) {
        expect(tensor, `${kind} of image ${i}`).toHaveLength(784);
        let max = 0;
        for (let j = 0; j < 784; j++) max = Math.max(max, Math.abs(tensor[j] - node.tensors[i][j]));
        expect(max, `${kind} of image ${i}`).toBeLessThanOrEqual(1 / 255);
        worst = Math.max(worst, max);
      }
    });
    console.info(`largest Node/Chromium input difference: ${worst} (limit ${1 / 255})`);
    result.probabilities.forEach((top, i) => {
      if (typeof top === 'string') throw new Error(top);
      expect(top.map((t) => t[0])[0]).toBe(node.top[i][0][0]);
      top.forEach(([index, p]) => {
        const inNode = node.top[i].find((t) => t[0] === index)![1];
        expect(Math.abs(p - inNode)).toBeLessThan(1e-4);
      });
    });
    expect(result.errors[0]).toMatch(/^ok \d$/);
    expect(result.errors[1]).toMatch(/^not-an-image: Blob: not an image this browser can decode/);
    expect(result.errors[2]).toBe('empty: Blob: the image is empty (0 bytes)');
    expect(result.errors[3]).toBe('too-large: HTMLCanvasElement: the image is 300x200 = 60,000 pixels, over the limit of 50,000 (raise maxPixels to allow it)');
    expect(result.errors[4]).toMatch(/^unreadable: \/no-such-image\.png: could not fetch the image: HTTP 404/);
    expect(result.errors[5]).toMatch(/^unsupported-input: number: not an image input browsers can decode/);
    expect(result.errors[6]).toMatch(/^ok \d$/);
  });
});

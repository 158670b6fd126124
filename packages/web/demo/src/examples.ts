import type { ImageDataset } from '@onnxkit/web';

/** One labelled drawing: the 28x28 image the model sees (0..1) and its class index. */
export interface Example {
  image: Float32Array;
  label: number;
}

/** The user's labelled drawings. */
export class ExampleSet {
  readonly items: Example[] = [];

  add(image: Float32Array, label: number): void {
    this.items.push({ image: image.slice(), label });
  }

  clear(): void {
    this.items.length = 0;
  }

  /** The examples as a dataset with `classes` classes. */
  toDataset(classes: number): ImageDataset {
    const images = new Float32Array(this.items.length * 784);
    this.items.forEach((e, i) => images.set(e.image, i * 784));
    return { images, labels: Int32Array.from(this.items, (e) => e.label), count: this.items.length, shape: [1, 28, 28], classes };
  }

  /** Compact bytes for browser storage: per example one label byte and 784 pixel bytes. */
  encode(): Uint8Array {
    const out = new Uint8Array(this.items.length * 785);
    this.items.forEach((e, i) => {
      out[i * 785] = e.label;
      for (let p = 0; p < 784; p++) out[i * 785 + 1 + p] = Math.round(e.image[p] * 255);
    });
    return out;
  }

  /** Restores what {@link encode} wrote (ignored when malformed). */
  decode(bytes: Uint8Array): void {
    if (bytes.length % 785 !== 0) return;
    this.clear();
    for (let i = 0; i < bytes.length; i += 785) {
      this.items.push({ label: bytes[i], image: Float32Array.from(bytes.subarray(i + 1, i + 785), (v) => v / 255) });
    }
  }
}

/** A small canvas showing a 28x28 0..1 image, white on black. */
export function thumbnail(image: Float32Array, scale = 2): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = 28;
  c.height = 28;
  c.style.width = `${28 * scale}px`;
  c.style.height = `${28 * scale}px`;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(image[i] * 255);
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

/** Shipped MNIST digits the server provides: `/data/mnist-sample.bin`, 10 classes x `PER_CLASS` x 784 bytes. */
export const SAMPLE_PER_CLASS = 20;

/** Digits `from … from+per-1` of each class from the sample, as a dataset (`classes` wide). */
export function sampleDigits(sample: Uint8Array, from: number, per: number, classes: number): ImageDataset {
  const images = new Float32Array(10 * per * 784);
  const labels = new Int32Array(10 * per);
  for (let d = 0; d < 10; d++) {
    for (let k = 0; k < per; k++) {
      const src = (d * SAMPLE_PER_CLASS + from + k) * 784;
      const dst = (d * per + k) * 784;
      for (let p = 0; p < 784; p++) images[dst + p] = sample[src + p] / 255;
      labels[d * per + k] = d;
    }
  }
  return { images, labels, count: 10 * per, shape: [1, 28, 28], classes };
}

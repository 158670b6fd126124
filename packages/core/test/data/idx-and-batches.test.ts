import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseIdx } from '../../src/data/idx.js';
import { datasetFromIdx, oneHot, permutation, splitDataset, takePerClass } from '../../src/data/dataset.js';
import { batchCount, batches } from '../../src/data/batches.js';
import { augmentImages } from '../../src/data/augment.js';

const notmnist = path.resolve(__dirname, '../../../../../shared/fixtures/data/notmnist');

/** A deterministic uniform source for tests (LCG); the library's seeded generator lives in random.ts. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return { next: () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) };
}

function idxBytes(type: number, dims: number[], values: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(values, header.length);
  return out;
}

describe('IDX reader', () => {
  it('reads the gzip-compressed notMNIST letters', () => {
    const images = parseIdx(readFileSync(path.join(notmnist, 't10k-images-idx3-ubyte.gz')));
    const labels = parseIdx(readFileSync(path.join(notmnist, 't10k-labels-idx1-ubyte.gz')));
    expect(images.dtype).toBe('uint8');
    expect(images.dims).toEqual([10000, 28, 28]);
    expect(labels.dims).toEqual([10000]);
    const ds = datasetFromIdx(images, labels);
    expect(ds.classes).toBe(10);
    expect(ds.shape).toEqual([1, 28, 28]);
    const max = ds.images.reduce((m, v) => Math.max(m, v), 0);
    expect(max).toBeCloseTo(1, 5);
    // Every class is present.
    expect(new Set(ds.labels).size).toBe(10);
  });

  it('reads plain IDX and big-endian wider types', () => {
    const plain = parseIdx(idxBytes(0x08, [2, 2], [1, 2, 3, 4]));
    expect(Array.from(plain.data)).toEqual([1, 2, 3, 4]);
    const ints = idxBytes(0x0c, [1], [0, 0, 1, 2]);
    expect(Array.from(parseIdx(ints).data)).toEqual([258]);
    expect(Array.from(parseIdx(gzipSync(ints)).data)).toEqual([258]);
  });

  it('gives clear errors for bad files', () => {
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]))).toThrow(/not an IDX file/);
    expect(() => parseIdx(idxBytes(0x08, [10, 10], [1, 2, 3]))).toThrow(/truncated/);
    const gz = gzipSync(idxBytes(0x08, [4], [1, 2, 3, 4]));
    expect(() => parseIdx(gz.subarray(0, gz.length - 6))).toThrow(/gzip/);
    expect(() => parseIdx(idxBytes(0x42, [1], [0]))).toThrow(/element type/);
  });
});

describe('datasets and batches', () => {
  const images = parseIdx(idxBytes(0x08, [10, 2, 2], Array.from({ length: 40 }, (_, i) => i)));
  const labels = parseIdx(idxBytes(0x08, [10], [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]));
  const ds = datasetFromIdx(images, labels);

  it('splits with a seeded shuffle, disjointly', () => {
    const a = splitDataset(ds, 3, lcg(1));
    const b = splitDataset(ds, 3, lcg(1));
    expect(a.validation.count).toBe(3);
    expect(a.train.count).toBe(7);
    expect(Array.from(a.validation.labels)).toEqual(Array.from(b.validation.labels));
    const firstPixels = (d: typeof ds) => Array.from({ length: d.count }, (_, i) => d.images[i * 4] * 255);
    const all = [...firstPixels(a.train), ...firstPixels(a.validation)].map(Math.round).sort((x, y) => x - y);
    expect(all).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
    expect(() => splitDataset(ds, 10, lcg(1))).toThrow(RangeError);
  });

  it('batches cover every example once per epoch, with a smaller last batch', () => {
    const seen: number[] = [];
    const sizes: number[] = [];
    for (const batch of batches(ds, { batchSize: 4, rng: lcg(7) })) {
      sizes.push(batch.count);
      for (let i = 0; i < batch.count; i++) seen.push(Math.round(batch.images[i * 4] * 255));
    }
    expect(sizes).toEqual([4, 4, 2]);
    expect(seen.sort((x, y) => x - y)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
    expect(batchCount(10, 4)).toBe(3);
    expect([...batches(ds, { batchSize: 4, dropLast: true })].length).toBe(2);
    expect(() => [...batches(ds, { batchSize: 0 })]).toThrow(/batchSize/);
  });

  it('takes k examples per class and one-hot encodes labels', () => {
    const few = takePerClass(ds, 2, lcg(3));
    expect(few.count).toBe(6);
    expect(Array.from(oneHot([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
    expect(() => oneHot([3], 3)).toThrow(/outside 0..2/);
    expect(Array.from(permutation(5, lcg(2))).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('augmentation keeps ink mass roughly and zero rotation/shift is the identity', () => {
    const img = new Float32Array(28 * 28);
    for (let y = 10; y < 18; y++) for (let x = 12; x < 16; x++) img[y * 28 + x] = 1;
    const same = img.slice();
    augmentImages(same, 1, [1, 28, 28], lcg(5), { maxShift: 0, maxRotation: 0 });
    expect(Array.from(same)).toEqual(Array.from(img));
    const moved = img.slice();
    augmentImages(moved, 1, [1, 28, 28], lcg(5), { maxShift: 2, maxRotation: 10 });
    const mass = (a: Float32Array) => a.reduce((s, v) => s + v, 0);
    expect(Math.abs(mass(moved) - mass(img)) / mass(img)).toBeLessThan(0.1);
    expect(Array.from(moved)).not.toEqual(Array.from(img));
  });

  /** A source that returns the given uniforms in turn (angle, shift x, shift y per image). */
  const fixed = (values: number[]) => {
    let i = 0;
    return { next: () => values[i++ % values.length] };
  };
  const random = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => ((Math.imul(i + seed, 2654435761) >>> 0) % 1000) / 1000);

  it('a pure shift moves every pixel by whole pixels and fills with zero', () => {
    const img = random(2 * 28 * 28, 1);
    const out = img.slice();
    // u = 0.5: no rotation; u = 1: +maxShift in x; u = 0: −maxShift in y; for both channels.
    augmentImages(out, 1, [2, 28, 28], fixed([0.5, 1, 0]), { maxShift: 2, maxRotation: 10 });
    for (let ch = 0; ch < 2; ch++) {
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const sy = y + 2;
          const sx = x - 2;
          const expected = sy < 28 && sx >= 0 ? img[ch * 784 + sy * 28 + sx] : 0;
          expect(out[ch * 784 + y * 28 + x]).toBe(expected);
        }
      }
    }
  });

  it('a rotation matches bilinear sampling of the rotated grid computed independently (float64)', () => {
    const [h, w] = [20, 28];
    const img = random(3 * h * w, 7);
    const out = img.slice();
    const uniforms = [0.9, 0.25, 0.75, 0.1, 0.5, 0.5, 0.6, 1, 1];
    augmentImages(out, 3, [1, h, w], fixed(uniforms), { maxShift: 2, maxRotation: 30 });
    for (let k = 0; k < 3; k++) {
      const [ua, ux, uy] = uniforms.slice(3 * k, 3 * k + 3);
      const theta = ((ua * 2 - 1) * 30 * Math.PI) / 180;
      const shift = [Math.round((ux * 2 - 1) * 2), Math.round((uy * 2 - 1) * 2)];
      const pixel = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? img[k * h * w + yy * w + xx] : 0);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          // Output (x, y) comes from the source point that the rotation by θ about the centre maps to (x − dx, y − dy).
          const [px, py] = [x - shift[0] - (w - 1) / 2, y - shift[1] - (h - 1) / 2];
          const sx = Math.cos(theta) * px + Math.sin(theta) * py + (w - 1) / 2;
          const sy = Math.cos(theta) * py - Math.sin(theta) * px + (h - 1) / 2;
          const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
          const [tx, ty] = [sx - x0, sy - y0];
          const expected =
            (1 - ty) * ((1 - tx) * pixel(y0, x0) + tx * pixel(y0, x0 + 1)) + ty * ((1 - tx) * pixel(y0 + 1, x0) + tx * pixel(y0 + 1, x0 + 1));
          expect(Math.abs(out[k * h * w + y * w + x] - expected)).toBeLessThan(1e-6);
        }
      }
    }
  });
});

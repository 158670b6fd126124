import { describe, expect, it } from 'vitest';
import { ImageError, loadMnistDigits, preprocessImages, preprocessInto, type PreprocessingSpec, type RawImage } from '@onnxkit/node';

const MNIST: PreprocessingSpec = { layout: 'NCHW', height: 28, width: 28, channels: 1, scale: [0, 1], polarity: 'light-on-dark', procedure: 'mnist' };

function run(image: RawImage, spec: PreprocessingSpec = MNIST): Float32Array {
  const out = new Float32Array(spec.height * spec.width * spec.channels);
  preprocessInto(image, spec, out, 0, 'test image');
  return out;
}

/** A `w`x`h` gray canvas of `paper` with a `bw`x`bh` bar of `ink` at (x, y). */
function bar(w: number, h: number, x: number, y: number, bw: number, bh: number, paper: number, ink: number): RawImage {
  const data = new Uint8Array(w * h).fill(paper);
  for (let r = y; r < y + bh; r++) data.fill(ink, r * w + x, r * w + x + bw);
  return { width: w, height: h, channels: 1, data };
}

/** Centre of mass (pixel centres at i + 0.5) and the ink's extent along each axis (sum of row/column maxima). */
function stats(img: Float32Array) {
  let mass = 0;
  let mx = 0;
  let my = 0;
  const rowMax = new Array<number>(28).fill(0);
  const colMax = new Array<number>(28).fill(0);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = img[y * 28 + x];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
      rowMax[y] = Math.max(rowMax[y], v);
      colMax[x] = Math.max(colMax[x], v);
    }
  }
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  return { cx: mx / mass, cy: my / mass, height: sum(rowMax), width: sum(colMax), max: Math.max(...img), corner: img[0] };
}

describe('MNIST procedure', () => {
  it('inverts dark-on-light, crops, fits 20x20 keeping the aspect ratio and centres the mass', () => {
    const out = run(bar(400, 300, 30, 40, 24, 120, 240, 15)); // a "1": 24x120 bar near the top left
    const s = stats(out);
    expect(s.corner).toBe(0);
    expect(s.max).toBeCloseTo(1, 5);
    expect(Math.abs(s.height - 20)).toBeLessThan(0.5); // 120 px tall → 20 px
    expect(Math.abs(s.width - 4)).toBeLessThan(0.5); // 24 px wide → 4 px: aspect ratio kept
    expect(Math.abs(s.cx - 14.5)).toBeLessThan(0.05);
    expect(Math.abs(s.cy - 14.5)).toBeLessThan(0.05);
  });

  it('gives the same tensor for either polarity and for strokes on a transparent canvas', () => {
    const dark = run(bar(120, 100, 50, 10, 12, 70, 250, 5));
    const light = run(bar(120, 100, 50, 10, 12, 70, 5, 250));
    const rgba = new Uint8Array(120 * 100 * 4);
    const src = bar(120, 100, 50, 10, 12, 70, 0, 255).data; // alpha = ink, colour black
    for (let i = 0; i < src.length; i++) rgba[i * 4 + 3] = src[i];
    const canvas = run({ width: 120, height: 100, channels: 4, data: rgba });
    for (let i = 0; i < 784; i++) {
      expect(Math.abs(dark[i] - light[i])).toBeLessThan(1e-5);
      expect(Math.abs(dark[i] - canvas[i])).toBeLessThan(1e-5);
    }
  });

  it('keeps a real MNIST digit nearly as it is', () => {
    const ds = loadMnistDigits({ perClass: 3 });
    for (let k = 0; k < ds.count; k++) {
      const digit = ds.images.subarray(k * 784, (k + 1) * 784);
      const out = run({ width: 28, height: 28, channels: 1, data: Uint8Array.from(digit, (v) => Math.round(v * 255)) });
      let dot = 0;
      let a = 0;
      let b = 0;
      for (let i = 0; i < 784; i++) {
        dot += digit[i] * out[i];
        a += digit[i] ** 2;
        b += out[i] ** 2;
      }
      expect(dot / Math.sqrt(a * b)).toBeGreaterThan(0.9);
    }
  });

  it("writes the spec's polarity, scale and layout", () => {
    const img = bar(60, 60, 20, 10, 10, 40, 255, 0);
    const base = run(img);
    const inverted = run(img, { ...MNIST, polarity: 'dark-on-light' });
    const scaled = run(img, { ...MNIST, scale: [0, 255] });
    const standard = run(img, { ...MNIST, scale: { mean: [0.5], std: [0.25] } });
    for (let i = 0; i < 784; i++) {
      expect(inverted[i]).toBeCloseTo(1 - base[i], 6);
      expect(scaled[i]).toBeCloseTo(base[i] * 255, 3);
      expect(standard[i]).toBeCloseTo((base[i] - 0.5) / 0.25, 5);
    }
  });

  it('reports empty, blank, malformed and huge images as ImageErrors naming the image', () => {
    const expectCode = (image: RawImage, code: string, message: RegExp, maxPixels?: number) => {
      let err: unknown;
      try {
        preprocessInto(image, MNIST, new Float32Array(784), 0, 'img.png', maxPixels);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ImageError);
      expect((err as ImageError).code).toBe(code);
      expect((err as ImageError).message).toMatch(/^img\.png: /);
      expect((err as ImageError).message).toMatch(message);
    };
    expectCode({ width: 0, height: 5, channels: 1, data: new Uint8Array(0) }, 'empty', /empty \(0x5 pixels\)/);
    expectCode(bar(50, 50, 0, 0, 0, 0, 200, 200), 'empty', /no ink found/);
    expectCode(bar(50, 50, 10, 10, 5, 5, 200, 190), 'empty', /no ink found/); // 10/255 contrast is paper grain
    expectCode({ width: 4, height: 4, channels: 3, data: new Uint8Array(4) }, 'unsupported-input', /needs 48/);
    expectCode(bar(50, 50, 10, 10, 5, 5, 255, 0), 'too-large', /2,500 pixels, over the limit of 100/, 100);
  });
});

describe('generic resize procedure', () => {
  const rgb = (w: number, h: number, f: (x: number, y: number) => [number, number, number]): RawImage => {
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * 3);
    return { width: w, height: h, channels: 3, data };
  };
  const spec = (over: Partial<PreprocessingSpec>): PreprocessingSpec => ({
    layout: 'NCHW', height: 4, width: 4, channels: 3, scale: [0, 1], polarity: 'any', procedure: 'resize', ...over,
  });

  it('stretches, orders channels and lays out NCHW / NHWC', () => {
    const img = rgb(8, 2, () => [255, 51, 0]);
    const nchw = run(img, spec({}));
    expect(Array.from(nchw.subarray(0, 16)).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
    expect(nchw[16]).toBeCloseTo(0.2, 6);
    expect(nchw[32]).toBe(0);
    const nhwc = run(img, spec({ layout: 'NHWC', colorOrder: 'bgr', scale: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] } }));
    expect(Array.from(nhwc.subarray(0, 3)).map((v) => +v.toFixed(4))).toEqual([-1, -0.6, 1]);
  });

  it("letterboxes with 'contain' and crops with 'cover'", () => {
    // Left half red, right half blue, 8x4: contain keeps both halves and pads rows; cover keeps the middle.
    const img = rgb(8, 4, (x) => (x < 4 ? [255, 0, 0] : [0, 0, 255]));
    const contain = run(img, spec({ fit: 'contain' }));
    expect(contain[0]).toBeGreaterThan(0.2); // the background (border median) fills the padding
    const cover = run(img, spec({ fit: 'cover' }));
    expect(cover[0]).toBeCloseTo(1, 5); // red at the left edge, no padding
    expect(cover[3]).toBeCloseTo(0, 5); // blue at the right edge
  });

  it('inverts to the polarity the model wants (Fashion-MNIST: light object on black)', () => {
    const photo = bar(10, 10, 3, 3, 4, 4, 250, 30);
    const out = run(photo, { layout: 'NCHW', height: 10, width: 10, channels: 1, scale: [0, 1], polarity: 'light-on-dark', procedure: 'resize' });
    expect(out[0]).toBeCloseTo(1 - 250 / 255, 5);
    expect(out[55]).toBeCloseTo(1 - 30 / 255, 5);
  });

  it('batches images with preprocessImages', () => {
    const { data, dims } = preprocessImages([bar(30, 30, 5, 5, 5, 20, 255, 0), bar(30, 30, 5, 5, 20, 5, 255, 0)], MNIST);
    expect(dims).toEqual([2, 1, 28, 28]);
    expect(data.length).toBe(2 * 784);
  });
});

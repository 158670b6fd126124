import { ImageError } from '../image/image-error.js';
import type { PreprocessingSpec } from '../metadata/preprocessing-spec.js';
import { borderMedian, invert, type Planes } from './planes.js';
import { resamplePlane } from './resample.js';

/** Below this contrast between ink and background (on 0..1) an image counts as blank. */
const MIN_CONTRAST = 0.1;
/** After contrast stretching, values under this are background noise (JPEG ringing, paper grain). */
const NOISE_FLOOR = 0.1;
/** Pixels above this (after stretching) are ink and define the bounding box. */
const INK_THRESHOLD = 0.25;

/**
 * MNIST's own normalisation, on one luma plane: make the ink light on a dark background (inverting
 * dark-on-light images, decided by the border's median), stretch the contrast so the background is 0
 * and the darkest ink 1, crop to the ink's bounding box, scale it to fit a `box`x`box` square keeping
 * its aspect ratio, and place it so its centre of mass lands on the frame's centre. Returns a
 * `spec.height` x `spec.width` plane in 0..1 with the spec's polarity.
 */
export function mnistPlane(luma: Planes, spec: PreprocessingSpec, source: string): Float32Array {
  const { width: w, height: h } = luma;
  const v = luma.data;
  let background = borderMedian(luma);
  const darkOnLight = background > 0.5;
  if (darkOnLight) {
    invert(luma);
    background = 1 - background;
  }
  let peak = 0;
  for (let i = 0; i < v.length; i++) if (v[i] > peak) peak = v[i];
  const contrast = peak - background;
  if (contrast < MIN_CONTRAST) {
    throw new ImageError('empty', source, `no ink found: the image is one flat shade (contrast ${contrast.toFixed(3)} on 0..1)`);
  }

  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let s = (v[i] - background) / contrast;
      s = s < NOISE_FLOOR ? 0 : s > 1 ? 1 : s;
      v[i] = s;
      if (s > INK_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  // Contrast above MIN_CONTRAST guarantees the peak pixel passes INK_THRESHOLD, so the box is never empty.
  const H = spec.height;
  const W = spec.width;
  const box = spec.box ?? Math.max(1, Math.round((Math.min(H, W) * 20) / 28));
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = box / Math.max(bw, bh);
  // Centre of mass of the cropped ink only, so specks outside the box cannot pull it.
  const { mx, my, mass } = cropMass(v, w, x0, x1 + 1, y0, y1 + 1);
  const cx = mx / mass;
  const cy = my / mass;
  const ox = clampOffset(W / 2 + 0.5 - cx * scale, x0 * scale, (x1 + 1) * scale, W);
  const oy = clampOffset(H / 2 + 0.5 - cy * scale, y0 * scale, (y1 + 1) * scale, H);

  const out = new Float32Array(W * H);
  resamplePlane(v, w, h, W, H, { scale, offset: ox }, { scale, offset: oy }, { fill: 0 }, out, 0, [x0, x1 + 1], [y0, y1 + 1]);
  // Thin strokes shrink to faint lines; MNIST digits always reach full intensity.
  let top = 0;
  for (let i = 0; i < out.length; i++) if (out[i] > top) top = out[i];
  if (top > 0) for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, out[i] / top));
  if (spec.polarity === 'dark-on-light' || (spec.polarity === 'any' && darkOnLight)) {
    for (let i = 0; i < out.length; i++) out[i] = 1 - out[i];
  }
  return out;
}

function cropMass(v: Float32Array, w: number, x0: number, x1: number, y0: number, y1: number) {
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const s = v[y * w + x];
      mass += s;
      mx += s * (x + 0.5);
      my += s * (y + 0.5);
    }
  }
  return { mass, mx, my };
}

/** Keeps the scaled box [lo + offset, hi + offset] inside [0, size] when it fits. */
function clampOffset(offset: number, lo: number, hi: number, size: number): number {
  if (hi - lo > size) return offset;
  if (lo + offset < 0) return -lo;
  if (hi + offset > size) return size - hi;
  return offset;
}

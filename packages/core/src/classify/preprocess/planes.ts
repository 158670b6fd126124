import type { RawImage } from '../image/raw-image.js';

/** An image as float planes in 0..1: `channels` planes of `height` x `width`, plane-major. */
export interface Planes {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Float32Array;
}

// Rec. 601 luma weights in thousandths: integer sums keep r = g = b exactly equal to that value.
const WR = 299;
const WG = 587;
const WB = 114;

/**
 * Converts interleaved 8-bit pixels to `channels` (1: luma, 3: RGB) float planes in 0..1. Transparent pixels
 * are composited onto a background that contrasts with the visible content (white behind dark strokes,
 * black behind light ones), so a drawing on a transparent canvas keeps its ink.
 */
export function toPlanes(image: RawImage, channels: 1 | 3): Planes {
  const { width, height, data } = image;
  const n = width * height;
  const c = image.channels;
  const hasAlpha = c === 2 || c === 4;
  const out = new Float32Array(n * channels);
  const background = hasAlpha ? alphaBackground(image) : 0;
  for (let i = 0; i < n; i++) {
    const p = i * c;
    let r: number;
    let g: number;
    let b: number;
    if (c < 3) {
      r = g = b = data[p];
    } else {
      r = data[p];
      g = data[p + 1];
      b = data[p + 2];
    }
    const a = hasAlpha ? data[p + c - 1] / 255 : 1;
    if (channels === 1) {
      const y = (WR * r + WG * g + WB * b) / (1000 * 255);
      out[i] = a === 1 ? y : y * a + background * (1 - a);
    } else {
      const k = a / 255;
      const bg = background * (1 - a);
      out[i] = a === 1 ? r / 255 : r * k + bg;
      out[n + i] = a === 1 ? g / 255 : g * k + bg;
      out[2 * n + i] = a === 1 ? b / 255 : b * k + bg;
    }
  }
  return { width, height, channels, data: out };
}

/** 1 (white) when the visible pixels are mostly dark, else 0; only called for images with alpha. */
function alphaBackground(image: RawImage): number {
  const { data, channels: c } = image;
  let weight = 0;
  let sum = 0;
  for (let p = 0; p < data.length; p += c) {
    const a = data[p + c - 1];
    if (a === 0) continue;
    const y = c === 2 ? data[p] : (WR * data[p] + WG * data[p + 1] + WB * data[p + 2]) / 1000;
    sum += a * y;
    weight += a;
  }
  return weight > 0 && sum / weight < 127.5 ? 1 : 0;
}

/** Median of the outermost rows and columns of plane `plane` (the background of most photos and drawings). */
export function borderMedian(planes: Planes, plane = 0): number {
  const { width: w, height: h, data } = planes;
  const base = plane * w * h;
  const values: number[] = [];
  for (let x = 0; x < w; x++) {
    values.push(data[base + x]);
    if (h > 1) values.push(data[base + (h - 1) * w + x]);
  }
  for (let y = 1; y < h - 1; y++) {
    values.push(data[base + y * w]);
    if (w > 1) values.push(data[base + y * w + w - 1]);
  }
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
}

/** Luma of float planes (the plane itself when there is one). */
export function lumaPlane(planes: Planes): Planes {
  if (planes.channels === 1) return planes;
  const n = planes.width * planes.height;
  const d = planes.data;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (WR * d[i] + WG * d[n + i] + WB * d[2 * n + i]) / 1000;
  return { width: planes.width, height: planes.height, channels: 1, data: out };
}

/** Inverts every value in place (v → 1 − v). */
export function invert(planes: Planes): void {
  const d = planes.data;
  for (let i = 0; i < d.length; i++) d[i] = 1 - d[i];
}

import type { RandomSource } from './dataset.js';

/** Options of {@link augmentImages}. */
export interface AugmentOptions {
  /** Largest shift in pixels along each axis (uniform integer in [-maxShift, maxShift]). @defaultValue 2 */
  maxShift?: number;
  /** Largest rotation in degrees (uniform in [-maxRotation, maxRotation]). @defaultValue 10 */
  maxRotation?: number;
}

/**
 * Random shifts and small rotations of images [count, C, H, W], in place. Each image gets one
 * rotation about its centre (bilinear sampling, zero outside) and one integer shift; the
 * background is assumed to be 0 (white ink on black, as MNIST).
 */
export function augmentImages(
  images: Float32Array,
  count: number,
  shape: readonly [number, number, number],
  rng: RandomSource,
  options: AugmentOptions = {},
): void {
  const maxShift = options.maxShift ?? 2;
  const maxRotation = options.maxRotation ?? 10;
  if (maxShift < 0 || maxRotation < 0) throw new RangeError('augmentImages: maxShift and maxRotation must be >= 0');
  const [c, h, w] = shape;
  const plane = h * w;
  const scratch = new Float32Array(plane);
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  for (let k = 0; k < count; k++) {
    const angle = ((rng.next() * 2 - 1) * maxRotation * Math.PI) / 180;
    const dx = Math.round((rng.next() * 2 - 1) * maxShift);
    const dy = Math.round((rng.next() * 2 - 1) * maxShift);
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    for (let ch = 0; ch < c; ch++) {
      const base = (k * c + ch) * plane;
      const src = images.subarray(base, base + plane);
      // Inverse mapping: for each output pixel, sample the source at the rotated, shifted position.
      for (let y = 0; y < h; y++) {
        const oy = y - dy - cy;
        for (let x = 0; x < w; x++) {
          const ox = x - dx - cx;
          const sx = cos * ox + sin * oy + cx;
          const sy = -sin * ox + cos * oy + cy;
          scratch[y * w + x] = bilinear(src, h, w, sy, sx);
        }
      }
      src.set(scratch);
    }
  }
}

/**
 * The source sampled at (y, x) between its four nearest pixels, 0 outside the image. Written without
 * closures or allocation: it runs once per pixel of every augmented image (fit() with `augment`).
 */
function bilinear(src: Float32Array, h: number, w: number, y: number, x: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const x1 = x0 + 1;
  const y1 = y0 + 1;
  const row0 = y0 >= 0 && y0 < h;
  const row1 = y1 >= 0 && y1 < h;
  const col0 = x0 >= 0 && x0 < w;
  const col1 = x1 >= 0 && x1 < w;
  const a = row0 && col0 ? src[y0 * w + x0] : 0;
  const b = row0 && col1 ? src[y0 * w + x1] : 0;
  const c = row1 && col0 ? src[y1 * w + x0] : 0;
  const d = row1 && col1 ? src[y1 * w + x1] : 0;
  return a * (1 - fx) * (1 - fy) + b * fx * (1 - fy) + c * (1 - fx) * fy + d * fx * fy;
}

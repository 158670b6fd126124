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
        for (let x = 0; x < w; x++) {
          const ox = x - dx - cx;
          const oy = y - dy - cy;
          const sx = cos * ox + sin * oy + cx;
          const sy = -sin * ox + cos * oy + cy;
          scratch[y * w + x] = bilinear(src, h, w, sy, sx);
        }
      }
      src.set(scratch);
    }
  }
}

function bilinear(src: Float32Array, h: number, w: number, y: number, x: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (yy: number, xx: number) => (yy >= 0 && yy < h && xx >= 0 && xx < w ? src[yy * w + xx] : 0);
  return (
    at(y0, x0) * (1 - fx) * (1 - fy) + at(y0, x0 + 1) * fx * (1 - fy) + at(y0 + 1, x0) * (1 - fx) * fy + at(y0 + 1, x0 + 1) * fx * fy
  );
}

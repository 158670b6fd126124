import { ImageError } from '../image/image-error.js';
import { checkRawImage, DEFAULT_MAX_PIXELS, type RawImage } from '../image/raw-image.js';
import type { PreprocessingSpec } from '../metadata/preprocessing-spec.js';
import { mnistPlane } from './mnist.js';
import { lumaPlane, toPlanes } from './planes.js';
import { resizePlanes } from './resize.js';

/** Values one image takes in the model input: height · width · channels. */
export function valuesPerImage(spec: PreprocessingSpec): number {
  return spec.height * spec.width * spec.channels;
}

/**
 * Turns decoded pixels into one image of the model's input tensor, following `spec` (the procedure, then
 * the scale, channel order and layout), and writes it at `out[offset…]`. The same code runs in Node and in
 * browsers, so equal pixels give equal tensors. Throws an {@link ImageError} for an empty, blank or
 * malformed image.
 */
export function preprocessInto(
  image: RawImage,
  spec: PreprocessingSpec,
  out: Float32Array,
  offset: number,
  source = 'image',
  maxPixels = DEFAULT_MAX_PIXELS,
): void {
  checkRawImage(image, source, maxPixels);
  const planes = toPlanes(image, spec.channels);
  const H = spec.height;
  const W = spec.width;
  const C = spec.channels;
  let values: Float32Array;
  if (spec.procedure === 'mnist') {
    // The digit procedure works on ink; colour models get the same luma in every channel.
    const plane = mnistPlane(lumaPlane(planes), spec, source);
    values = C === 1 ? plane : Float32Array.from({ length: 3 * plane.length }, (_, i) => plane[i % plane.length]);
  } else {
    values = resizePlanes(planes, spec);
  }
  if (values.length !== H * W * C) throw new ImageError('unsupported-input', source, 'internal: preprocessing produced the wrong size');
  const n = H * W;
  const bgr = C === 3 && spec.colorOrder === 'bgr';
  for (let c = 0; c < C; c++) {
    const srcPlane = (bgr ? 2 - c : c) * n;
    const [mul, add] = scaleOf(spec, c);
    if (spec.layout === 'NCHW') {
      const dst = offset + c * n;
      for (let i = 0; i < n; i++) out[dst + i] = values[srcPlane + i] * mul + add;
    } else {
      for (let i = 0; i < n; i++) out[offset + i * C + c] = values[srcPlane + i] * mul + add;
    }
  }
}

/** `value·mul + add` mapping 0..1 pixels of channel `c` to the spec's scale. */
function scaleOf(spec: PreprocessingSpec, c: number): [number, number] {
  const s = spec.scale;
  if (Array.isArray(s)) {
    const [lo, hi] = s as readonly [number, number];
    return [hi - lo, lo];
  }
  const { mean, std } = s as { mean: readonly number[]; std: readonly number[] };
  const m = mean.length === 1 ? mean[0] : mean[c];
  const d = std.length === 1 ? std[0] : std[c];
  return [1 / d, -m / d];
}

/**
 * Preprocesses several decoded images into one batch tensor `[N, …]` in the spec's layout. Throws on the
 * first bad image; the Classifier instead reports bad images one by one.
 */
export function preprocessImages(images: readonly RawImage[], spec: PreprocessingSpec): { data: Float32Array; dims: number[] } {
  const per = valuesPerImage(spec);
  const data = new Float32Array(images.length * per);
  images.forEach((img, i) => preprocessInto(img, spec, data, i * per, `image ${i}`));
  const dims = spec.layout === 'NCHW' ? [images.length, spec.channels, spec.height, spec.width] : [images.length, spec.height, spec.width, spec.channels];
  return { data, dims };
}

import type { PreprocessingSpec } from '../metadata/preprocessing-spec.js';
import { borderMedian, invert, lumaPlane, type Planes } from './planes.js';
import { resamplePlane, type AxisMap, type Edge } from './resample.js';

/**
 * The generic procedure: flip polarity when the spec asks for one and the image (judged by its border's
 * median luma) has the other, then resize every plane to `spec.height` x `spec.width` by `spec.fit`:
 * `'stretch'` ignores the aspect ratio, `'contain'` letterboxes on the background (the border's median),
 * `'cover'` fills the frame and crops the overflow evenly. Returns plane-major values in 0..1.
 */
export function resizePlanes(planes: Planes, spec: PreprocessingSpec): Float32Array {
  const { width: w, height: h, channels } = planes;
  if (spec.polarity !== 'any') {
    const lightBackground = borderMedian(lumaPlane(planes)) > 0.5;
    if (lightBackground !== (spec.polarity === 'dark-on-light')) invert(planes);
  }
  const W = spec.width;
  const H = spec.height;
  const fit = spec.fit ?? 'stretch';
  let mapX: AxisMap;
  let mapY: AxisMap;
  if (fit === 'stretch') {
    mapX = { scale: W / w, offset: 0 };
    mapY = { scale: H / h, offset: 0 };
  } else {
    const s = fit === 'contain' ? Math.min(W / w, H / h) : Math.max(W / w, H / h);
    mapX = { scale: s, offset: (W - w * s) / 2 };
    mapY = { scale: s, offset: (H - h * s) / 2 };
  }
  const out = new Float32Array(W * H * channels);
  const n = w * h;
  for (let c = 0; c < channels; c++) {
    const plane = planes.data.subarray(c * n, (c + 1) * n);
    const edge: Edge = fit === 'contain' ? { fill: borderMedian(planes, c) } : 'clamp';
    resamplePlane(plane, w, h, W, H, mapX, mapY, edge, out, c * W * H);
  }
  return out;
}

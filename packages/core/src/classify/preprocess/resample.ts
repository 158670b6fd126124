/**
 * Separable affine resampling with a triangle filter widened on downscaling (antialiased bilinear, as
 * Pillow's BILINEAR does): destination coordinate = source coordinate · scale + offset, per axis, with
 * pixel centres at i + 0.5.
 */

/** One axis of the mapping. */
export interface AxisMap {
  /** Destination pixels per source pixel. */
  readonly scale: number;
  /** Destination coordinate of source coordinate 0. */
  readonly offset: number;
}

/** What lies outside the source: its edge pixels repeated, or a constant. */
export type Edge = 'clamp' | { readonly fill: number };

interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float32Array;
  /** Weight of taps that fell outside the source (filled with a constant). */
  readonly outside: Float32Array;
}

function taps(srcLen: number, dstLen: number, map: AxisMap, edge: Edge): Taps {
  const radius = Math.max(1, 1 / map.scale);
  const span = Math.ceil(radius) * 2 + 2;
  const start = new Int32Array(dstLen);
  const count = new Int32Array(dstLen);
  const index = new Int32Array(dstLen * span);
  const weight = new Float32Array(dstLen * span);
  const outside = new Float32Array(dstLen);
  let k = 0;
  for (let i = 0; i < dstLen; i++) {
    const u = (i + 0.5 - map.offset) / map.scale;
    const lo = Math.floor(u - radius);
    const hi = Math.ceil(u + radius);
    let total = 0;
    let out = 0;
    start[i] = k;
    for (let j = lo; j <= hi; j++) {
      const w = 1 - Math.abs(j + 0.5 - u) / radius;
      if (w <= 0) continue;
      total += w;
      if (j < 0 || j >= srcLen) {
        if (edge === 'clamp') {
          index[k] = j < 0 ? 0 : srcLen - 1;
          weight[k++] = w;
        } else {
          out += w;
        }
        continue;
      }
      index[k] = j;
      weight[k++] = w;
    }
    count[i] = k - start[i];
    for (let t = start[i]; t < k; t++) weight[t] /= total;
    outside[i] = total > 0 ? out / total : 1;
  }
  return { start, count, index, weight, outside };
}

/**
 * Resamples one `srcW` x `srcH` plane into a `dstW` x `dstH` plane written at `out[outOffset…]`.
 * Source rows `rows[0]..rows[1]` and columns `cols[0]..cols[1]` (exclusive ends) are the visible region:
 * a crop, treated as the whole source (coordinates stay those of the full plane).
 */
export function resamplePlane(
  src: Float32Array,
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  mapX: AxisMap,
  mapY: AxisMap,
  edge: Edge,
  out: Float32Array,
  outOffset = 0,
  cols: readonly [number, number] = [0, srcW],
  rows: readonly [number, number] = [0, srcH],
): void {
  const cw = cols[1] - cols[0];
  const ch = rows[1] - rows[0];
  // Work in crop coordinates: shift the offsets by the crop's origin.
  const tx = taps(cw, dstW, { scale: mapX.scale, offset: mapX.offset + cols[0] * mapX.scale }, edge);
  const ty = taps(ch, dstH, { scale: mapY.scale, offset: mapY.offset + rows[0] * mapY.scale }, edge);
  const fill = edge === 'clamp' ? 0 : edge.fill;
  // Horizontal pass over the crop's rows, then vertical.
  const tmp = new Float32Array(ch * dstW);
  for (let y = 0; y < ch; y++) {
    const row = (rows[0] + y) * srcW + cols[0];
    for (let x = 0; x < dstW; x++) {
      let s = tx.outside[x] * fill;
      const end = tx.start[x] + tx.count[x];
      for (let t = tx.start[x]; t < end; t++) s += tx.weight[t] * src[row + tx.index[t]];
      tmp[y * dstW + x] = s;
    }
  }
  for (let y = 0; y < dstH; y++) {
    const base = outOffset + y * dstW;
    const end = ty.start[y] + ty.count[y];
    const rest = ty.outside[y] * fill;
    for (let x = 0; x < dstW; x++) out[base + x] = rest;
    for (let t = ty.start[y]; t < end; t++) {
      const w = ty.weight[t];
      const r = ty.index[t] * dstW;
      for (let x = 0; x < dstW; x++) out[base + x] += w * tmp[r + x];
    }
  }
}

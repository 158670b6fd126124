/**
 * A histogram of one tensor's values over a fixed range, filled batch by batch during calibration.
 * Values outside the range land in the edge bins (the range comes from a min/max pass first).
 */
export class Histogram {
  readonly counts: Float64Array;
  readonly min: number;
  readonly max: number;
  total = 0;

  constructor(min: number, max: number, bins = 2048) {
    this.min = min;
    this.max = max > min ? max : min + 1e-12;
    this.counts = new Float64Array(bins);
  }

  /** Adds every value of `data` (as |x| with `abs`; exact zeros left out with `skipZeros`). */
  add(data: ArrayLike<number>, abs = false, skipZeros = false): void {
    const bins = this.counts.length;
    const k = bins / (this.max - this.min);
    for (let i = 0; i < data.length; i++) {
      const v = abs ? Math.abs(data[i]) : data[i];
      if (skipZeros && v === 0) continue;
      const b = Math.floor((v - this.min) * k);
      this.counts[b < 0 ? 0 : b >= bins ? bins - 1 : b]++;
      this.total++;
    }
  }

  /** The value below which fraction `q` of the values lie (linear within a bin). */
  quantile(q: number): number {
    const target = q * this.total;
    const width = (this.max - this.min) / this.counts.length;
    let seen = 0;
    for (let b = 0; b < this.counts.length; b++) {
      const c = this.counts[b];
      if (seen + c >= target && c > 0) return this.min + (b + (target - seen) / c) * width;
      seen += c;
    }
    return this.max;
  }
}

/**
 * The range that keeps `percentile` % of the values, trimming the rest equally from both tails
 * (ORT's percentile calibration, 99.999 by default): outliers stop stretching the scale.
 */
export function percentileRange(h: Histogram, percentile: number): [number, number] {
  const tail = (100 - percentile) / 200;
  return [h.quantile(tail), h.quantile(1 - tail)];
}

/**
 * The clipping threshold that minimises the KL divergence between the distribution of |x| and its
 * quantized version with `levels` levels (TensorRT's entropy calibration). `h` is a histogram of |x|
 * over [0, max|x|].
 */
export function entropyThreshold(h: Histogram, levels = 128): number {
  const bins = h.counts.length;
  const width = (h.max - h.min) / bins;
  if (h.total === 0) return h.max;
  let best = bins;
  let bestKl = Infinity;
  const step = Math.max(1, Math.floor(bins / 512));
  for (let i = levels; i <= bins; i += step) {
    const kl = klForThreshold(h.counts, i, levels);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return h.min + best * width;
}

/**
 * KL(P || Q): P = the first `i` bins with the outliers folded into the last one; Q = the same bins
 * *without* the outliers merged into `levels` levels, so clipping shows up as divergence.
 */
function klForThreshold(counts: Float64Array, i: number, levels: number): number {
  let outliers = 0;
  for (let b = i; b < counts.length; b++) outliers += counts[b];
  const q = new Float64Array(i);
  const per = i / levels;
  for (let l = 0; l < levels; l++) {
    const start = Math.floor(l * per);
    const end = l === levels - 1 ? i : Math.floor((l + 1) * per);
    let sum = 0;
    let nonzero = 0;
    for (let b = start; b < end; b++) {
      sum += counts[b];
      if (counts[b] > 0) nonzero++;
    }
    // Spread the level's mass over the bins that had values (an empty bin stays empty).
    for (let b = start; b < end; b++) if (counts[b] > 0) q[b] = sum / nonzero;
  }
  let pSum = outliers;
  let qSum = 0;
  for (let b = 0; b < i; b++) {
    pSum += counts[b];
    qSum += q[b];
  }
  if (pSum === 0 || qSum === 0) return Infinity;
  let kl = 0;
  for (let b = 0; b < i; b++) {
    const pb = (counts[b] + (b === i - 1 ? outliers : 0)) / pSum;
    if (pb === 0) continue;
    // Mass P has where Q has none (outliers past an empty last bin) gets a small floor, as MXNet smooths.
    const qb = Math.max(q[b] / qSum, 1e-6);
    kl += pb * Math.log(pb / qb);
  }
  return kl;
}

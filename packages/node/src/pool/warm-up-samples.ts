// Synthetic photos that a pool worker decodes and preprocesses before its first real image (see
// `NodeImagePool.warmUp`): a fresh worker thread is a fresh V8 isolate, whose first ~50 images run
// unoptimised code at about twice the cost of later ones, once per worker.
import { Random, type RawImage } from '@onnxkit/core';
import { encodeImage } from '../image/encode-image.js';

/** One sample: the encoded file's bytes and its description in errors. */
export interface WarmUpSample {
  bytes: Uint8Array;
  source: string;
}

/**
 * Sides of the samples, in pixels: the sizes of ordinary small photos and scans, so that the plain PNG
 * path and sharp (JPEG, larger PNGs) both run, over loops long enough to be optimised.
 */
const SIDES = [120, 200, 320] as const;

/**
 * Gray PNG, RGB PNG and JPEG at each of {@link SIDES}: dark strokes on light, noisy paper, the kinds of
 * file (and so the decoders and colour paths) a folder of photos holds. Deterministic.
 */
export async function warmUpSamples(): Promise<WarmUpSample[]> {
  const rng = new Random(16);
  const samples: WarmUpSample[] = [];
  for (const side of SIDES) {
    for (const [channels, format] of [[1, 'png'], [3, 'png'], [3, 'jpeg']] as const) {
      const bytes = await encodeImage(drawSample(side, channels, rng), format);
      samples.push({ bytes, source: `warm-up ${side}px ${channels === 1 ? 'gray' : 'rgb'} ${format}` });
    }
  }
  return samples;
}

/** A ring of ink, off-centre, on paper with grain: not blank, so cropping and centring have work to do. */
function drawSample(side: number, channels: 1 | 3, rng: Random): RawImage {
  const data = new Uint8Array(side * side * channels);
  const cx = side * 0.45;
  const cy = side * 0.55;
  const r = side * 0.25;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const d = Math.abs(Math.hypot(x - cx, y - cy) - r);
      const ink = Math.max(0, 1 - d / (side * 0.04));
      const grain = (rng.next() - 0.5) * 8;
      for (let c = 0; c < channels; c++) {
        const paper = 236 - 6 * c;
        data[(y * side + x) * channels + c] = Math.max(0, Math.min(255, Math.round(paper + (40 - paper) * ink + grain)));
      }
    }
  }
  return { width: side, height: side, channels, data };
}

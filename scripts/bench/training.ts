// Training benchmark of the seed CNN: onnxkit on ORT CPU vs PyTorch 1.13 (CPU), measured in one run,
// interleaved repeat by repeat so that machine load affects both alike.
//
//   pnpm tsx scripts/bench/training.ts [--repeats 7] [--steps 8] [--epoch-repeats 3] [--threads 1,2]
//        [--batches 32,64] [--parts throughput,epoch,finetune,profile] [--json FILE] [--write] [--quick]
//
// Measures (same digits, same network, AdamW with the same hyper-parameters, same thread counts):
//   throughput   samples/s of trainStep + optimizerStep (PyTorch: forward, loss, backward, step) at each
//                batch size and thread count; `--steps` timed batches after 3 warm-up ones, median of
//                `--repeats`; also samples per CPU-second of the whole process (all its threads)
//   epoch        one shuffled epoch over the 9,000 training digits with fit() (batch 64, 2 threads)
//   finetune     one epoch over 1,000 digits, head only (fc2) vs all parameters (batch 64, 2 threads)
//   profile      where onnxkit's time goes (scripts/bench/profile-training.ts, batch 64, 1 thread)
// PyTorch runs in a long-lived worker (scripts/bench/torch_training.py via /usr/bin/python3). With more
// than one thread a second worker runs with OMP_WAIT_POLICY=PASSIVE (OpenMP threads sleep instead of
// spin-waiting), the counterpart of the Trainer's default of no intra-op spinning in ORT.
// --write replaces the "## Training" section of docs/BENCHMARKS.md (creating the file if missing).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import {
  buildSeedCnn,
  encodeNpy,
  fit,
  generateArtifacts,
  loadMnistDigits,
  oneHot,
  permutation,
  Random,
  selectExamples,
  splitDataset,
  Trainer,
  type ArtifactTarget,
  type ImageDataset,
  type TrainingArtifacts,
} from '@onnxkit/node';
import { BareStreams } from './bare-streams.js';
import { profileTraining, type TrainingProfile } from './profile-training.js';
import { writeTrainingSection, formatTrainingSection } from './training-report.js';
import { loadAverage, machineInfo, median, timeSteps } from './measure.js';

const LR = 1e-3;
const HEAD = ['fc2.weight', 'fc2.bias'];
const EPOCH_BATCH = 64;
const EPOCH_THREADS = 2;
// Lets the other side's spinning worker threads go idle before a measurement starts.
const SETTLE_MS = 300;

/** Options of {@link runTrainingBenchmark}. */
export interface TrainingBenchOptions {
  repeats: number;
  steps: number;
  warmup: number;
  epochRepeats: number;
  threads: number[];
  batches: number[];
  parts: Set<string>;
  python: string;
}

type Trainable = 'all' | 'head';

export interface Paired {
  onnxkit: number;
  torch: number;
  /** onnxkit / PyTorch (throughput: higher is better for onnxkit; times: lower is). */
  ratio: number;
  onnxkitRuns: number[];
  torchRuns: number[];
  /** PyTorch with OMP_WAIT_POLICY=PASSIVE (runs with more than one thread only). */
  torchPassive?: number;
  ratioPassive?: number;
  torchPassiveRuns?: number[];
}

export interface TrainingResults {
  command: string;
  machine: { nproc: number; cpu: string; node: string; onnxruntime: string; torch: string };
  load: { before: number[]; after: number[] };
  settings: { repeats: number; steps: number; warmup: number; epochRepeats: number; epochBatch: number; epochThreads: number };
  throughput: (Paired & {
    batch: number;
    threads: number;
    cpu: { onnxkit: number; torch: number; ratio: number };
    /** The same Trainer pinned to the portable target (the formulation before the cpu target). */
    portable: { samples: number; runs: number[]; cpu: number };
    /** With more than one thread: the same Trainer with `dataParallel: 1` (one session, ORT's intra-op threads). */
    oneSession?: { samples: number; runs: number[]; cpu: number };
    /** The training graph alone on bare ORT, one 1-thread session per thread on slices of each batch at once (scripts/bench/bare-streams.ts): the cores' ceiling. */
    bare: { samples: number; runs: number[] };
  })[];
  epoch?: Paired & { examples: number };
  fineTune: (Paired & { examples: number; trainable: string })[];
  /** Where the time goes, per target (`cpu`: what the public path runs; `portable`: before). */
  profile?: { cpu: TrainingProfile; portable: TrainingProfile };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const paired = (o: number[], t: number[], tp: number[] = []): Paired => ({
  onnxkit: median(o),
  torch: median(t),
  ratio: median(o) / median(t),
  onnxkitRuns: o,
  torchRuns: t,
  ...(tp.length ? { torchPassive: median(tp), ratioPassive: median(o) / median(tp), torchPassiveRuns: tp } : {}),
});

/** The PyTorch worker: one JSON command per line, one JSON reply per line. */
class TorchWorker {
  #proc: ChildProcessWithoutNullStreams;
  #lines: AsyncIterator<string>;
  constructor(python: string, env: Record<string, string> = {}) {
    this.#proc = spawn(python, [path.join(import.meta.dirname, 'torch_training.py')], { stdio: 'pipe', env: { ...process.env, ...env } });
    this.#proc.stderr.on('data', (d: Buffer) => process.stderr.write(`[torch] ${d}`));
    this.#lines = createInterface({ input: this.#proc.stdout })[Symbol.asyncIterator]();
  }
  async call<T = { seconds: number; cpuSeconds: number }>(cmd: Record<string, unknown>): Promise<T> {
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

/** What a comparison Trainer pins (the public path pins nothing). */
interface Variant {
  target?: ArtifactTarget;
  dataParallel?: number;
}

/** onnxkit's side: one Trainer per thread count, kept across repeats like PyTorch's models. */
class OnnxkitSide {
  #trainers = new Map<string, Trainer>();
  constructor(
    private readonly data: ImageDataset,
    private readonly artifacts: Record<Trainable, TrainingArtifacts>,
  ) {}

  /**
   * Wall and process CPU seconds of `count` steps after `warmup` ones. Batch i is digits
   * [i·batch, (i+1)·batch) (mod the count), copied out and one-hot encoded as fit() does; PyTorch
   * gets the same batches.
   */
  async steps(batch: number, threads: number, warmup: number, count: number, offset: number, variant: Variant = {}): Promise<{ seconds: number; cpuSeconds: number }> {
    const key = `${threads}/${variant.target ?? 'auto'}/${variant.dataParallel ?? 'auto'}`;
    let trainer = this.#trainers.get(key);
    if (!trainer) {
      // The public path (target and dataParallel 'auto': the cpu target, one replica per thread), or a
      // pinned target / a single session for comparison.
      trainer = await Trainer.create(this.artifacts.all, { device: 'cpu', intraOpNumThreads: threads, interOpNumThreads: 1, ...variant });
      this.#trainers.set(key, trainer);
    }
    const size = 784;
    const n = this.data.count;
    const run = async (i: number) => {
      const start = ((offset + i) * batch) % (n - batch);
      const images = this.data.images.slice(start * size, (start + batch) * size);
      const labels = oneHot(this.data.labels.subarray(start, start + batch), 10);
      await trainer.trainStep({ input: { data: images, dims: [batch, 1, 28, 28] } }, { data: labels, dims: [batch, 10] });
      await trainer.optimizerStep({ learningRate: LR });
      trainer.lazyResetGrad();
    };
    return timeSteps(run, warmup, count);
  }

  /** Seconds of one fit() epoch over the first `count` digits, from a fresh trainer (its start not timed). */
  async epoch(count: number, trainable: Trainable): Promise<number> {
    const trainer = await Trainer.create(this.artifacts[trainable], { device: 'cpu', intraOpNumThreads: EPOCH_THREADS, interOpNumThreads: 1 });
    const subset = count === this.data.count ? this.data : selectExamples(this.data, Int32Array.from({ length: count }, (_, i) => i));
    const t0 = performance.now();
    await fit(trainer, subset, { epochs: 1, batchSize: EPOCH_BATCH, seed: 0, learningRate: LR });
    const seconds = (performance.now() - t0) / 1000;
    await trainer.release();
    return seconds;
  }

  async release(): Promise<void> {
    for (const t of this.#trainers.values()) await t.release();
  }
}

/** Runs the sides in turn, rotating which goes first with `r`, with a pause before each. */
async function interleave(r: number, ...sides: (() => Promise<void>)[]): Promise<void> {
  for (let k = 0; k < sides.length; k++) {
    await pause(SETTLE_MS);
    await sides[(k + r) % sides.length]();
  }
}

export async function runTrainingBenchmark(o: TrainingBenchOptions, command: string): Promise<TrainingResults> {
  const loadBefore = loadAverage();
  // The 9,000 training digits (1,000 held out as in scripts/train-seed-cnn.ts), shuffled once so
  // that consecutive slices are mixed batches on both sides.
  const { train } = splitDataset(loadMnistDigits(), 1000, new Random(0));
  const data = selectExamples(train, permutation(train.count, new Random(1)));
  const dir = mkdtempSync(path.join(tmpdir(), 'onnxkit-bench-'));
  const torch = new TorchWorker(o.python);
  const passive = o.threads.some((t) => t > 1) || o.parts.has('epoch') || o.parts.has('finetune') ? new TorchWorker(o.python, { OMP_WAIT_POLICY: 'PASSIVE' }) : undefined;
  const all = generateArtifacts(buildSeedCnn({ seed: 0 }), { optimizer: 'adamw' });
  const onnxkit = new OnnxkitSide(data, { all, head: generateArtifacts(buildSeedCnn({ seed: 0 }), { optimizer: 'adamw', trainable: HEAD }) });
  const bare = new BareStreams(data, all.forTarget('cpu'));
  try {
    writeFileSync(path.join(dir, 'images.npy'), encodeNpy({ dtype: 'float32', dims: [data.count, 1, 28, 28], data: data.images }));
    writeFileSync(path.join(dir, 'labels.npy'), encodeNpy({ dtype: 'int32', dims: [data.count], data: data.labels }));
    const { torch: torchVersion } = await torch.call<{ torch: string }>({ cmd: 'info' });
    for (const w of [torch, passive]) await w?.call({ cmd: 'load', images: path.join(dir, 'images.npy'), labels: path.join(dir, 'labels.npy') });

    const configs = o.batches.flatMap((batch) => o.threads.map((threads) => ({ batch, threads })));
    const runs = configs.map(() => ({
      onnxkit: [] as number[],
      portable: [] as number[],
      oneSession: [] as number[],
      bare: [] as number[],
      torch: [] as number[],
      torchPassive: [] as number[],
      onnxkitCpu: [] as number[],
      portableCpu: [] as number[],
      oneSessionCpu: [] as number[],
      bareCpu: [] as number[],
      torchCpu: [] as number[],
      torchPassiveCpu: [] as number[],
    }));
    for (let r = 0; o.parts.has('throughput') && r < o.repeats; r++) {
      for (const [i, c] of configs.entries()) {
        const offset = r * (o.warmup + o.steps);
        const record = (side: 'onnxkit' | 'portable' | 'oneSession' | 'bare' | 'torch' | 'torchPassive', t: { seconds: number; cpuSeconds: number }) => {
          runs[i][side].push((c.batch * o.steps) / t.seconds);
          runs[i][`${side}Cpu`].push((c.batch * o.steps) / t.cpuSeconds);
        };
        const torchSteps = (w: TorchWorker) => w.call({ cmd: 'steps', batch: c.batch, threads: c.threads, warmup: o.warmup, steps: o.steps, offset });
        await interleave(
          r + i,
          async () => record('onnxkit', await onnxkit.steps(c.batch, c.threads, o.warmup, o.steps, offset)),
          async () => record('portable', await onnxkit.steps(c.batch, c.threads, o.warmup, o.steps, offset, { target: 'portable' })),
          ...(c.threads > 1 ? [async () => record('oneSession', await onnxkit.steps(c.batch, c.threads, o.warmup, o.steps, offset, { dataParallel: 1 }))] : []),
          async () => record('bare', await bare.steps(c.batch, c.threads, o.warmup, o.steps, offset)),
          async () => record('torch', await torchSteps(torch)),
          ...(passive && c.threads > 1 ? [async () => record('torchPassive', await torchSteps(passive))] : []),
        );
      }
      process.stderr.write(`training bench: throughput repeat ${r + 1}/${o.repeats}\n`);
    }
    await onnxkit.release();
    await bare.release();

    const torchEpoch = async (w: TorchWorker, count: number, trainable: Trainable) =>
      (await w.call({ cmd: 'epoch', batch: EPOCH_BATCH, threads: EPOCH_THREADS, count, trainable })).seconds;
    const pair = async (n: number, count: number, trainable: Trainable): Promise<Paired> => {
      const [a, b, c]: number[][] = [[], [], []];
      for (let r = 0; r < n; r++) {
        await interleave(
          r,
          async () => void a.push(await onnxkit.epoch(count, trainable)),
          async () => void b.push(await torchEpoch(torch, count, trainable)),
          ...(passive ? [async () => void c.push(await torchEpoch(passive, count, trainable))] : []),
        );
      }
      return paired(a, b, c);
    };
    let epoch: TrainingResults['epoch'];
    if (o.parts.has('epoch')) {
      epoch = { examples: data.count, ...(await pair(o.epochRepeats, data.count, 'all')) };
      process.stderr.write('training bench: epoch done\n');
    }
    const fineTune: TrainingResults['fineTune'] = [];
    for (const trainable of o.parts.has('finetune') ? (['head', 'all'] as const) : []) {
      const p = await pair(o.repeats, 1000, trainable);
      fineTune.push({ examples: 1000, trainable: trainable === 'head' ? 'head only (fc2)' : 'all parameters', ...p });
    }
    if (fineTune.length) process.stderr.write('training bench: fine-tune done\n');
    const profileOf = (target: ArtifactTarget) => profileTraining({ batchSize: 64, threads: 1, steps: Math.max(5, o.steps * 2), target });
    const profile = o.parts.has('profile') ? { cpu: await profileOf('cpu'), portable: await profileOf('portable') } : undefined;

    return {
      command,
      machine: {
        ...machineInfo(),
        onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
        torch: torchVersion,
      },
      load: { before: loadBefore, after: loadAverage() },
      settings: { repeats: o.repeats, steps: o.steps, warmup: o.warmup, epochRepeats: o.epochRepeats, epochBatch: EPOCH_BATCH, epochThreads: EPOCH_THREADS },
      throughput: !o.parts.has('throughput')
        ? []
        : configs.map((c, i) => {
            const cpu = { onnxkit: median(runs[i].onnxkitCpu), torch: median(runs[i].torchCpu), ratio: median(runs[i].onnxkitCpu) / median(runs[i].torchCpu) };
            const portable = { samples: median(runs[i].portable), runs: runs[i].portable, cpu: median(runs[i].portableCpu) };
            const one = runs[i].oneSession.length ? { oneSession: { samples: median(runs[i].oneSession), runs: runs[i].oneSession, cpu: median(runs[i].oneSessionCpu) } } : {};
            const bareRuns = { samples: median(runs[i].bare), runs: runs[i].bare };
            return { ...c, ...paired(runs[i].onnxkit, runs[i].torch, runs[i].torchPassive), cpu, portable, ...one, bare: bareRuns };
          }),
      ...(epoch ? { epoch } : {}),
      fineTune,
      ...(profile ? { profile } : {}),
    };
  } finally {
    torch.quit();
    passive?.quit();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repeats: { type: 'string', default: '7' },
      steps: { type: 'string', default: '8' },
      'epoch-repeats': { type: 'string', default: '3' },
      threads: { type: 'string', default: '1,2' },
      batches: { type: 'string', default: '32,64' },
      parts: { type: 'string', default: 'throughput,epoch,finetune,profile' },
      json: { type: 'string' },
      write: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const quick = values.quick;
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--json' && all[i - 1] !== '--json');
  const results = await runTrainingBenchmark(
    {
      repeats: quick ? 1 : Number(values.repeats),
      steps: quick ? 3 : Number(values.steps),
      warmup: quick ? 1 : 3,
      epochRepeats: quick ? 1 : Number(values['epoch-repeats']),
      threads: values.threads.split(',').map(Number),
      batches: values.batches.split(',').map(Number),
      parts: new Set(values.parts.split(',')),
      python: values.python,
    },
    `pnpm tsx scripts/bench/training.ts${args.length ? ` ${args.join(' ')}` : ''}`,
  );
  const section = formatTrainingSection(results);
  console.log(section);
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2) + '\n');
  if (values.write) writeTrainingSection(section);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();

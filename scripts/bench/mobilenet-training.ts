// Training a real architecture: torchvision's mobilenet_v2 (128×128 RGB, batch 16, 10 classes, frozen
// BatchNormalization) with onnxkit's Trainer on ORT CPU vs PyTorch 1.13 (CPU), in one run.
//
//   flock /tmp/bench.lock pnpm tsx scripts/bench/mobilenet-training.ts [--repeats 5] [--steps 4] [--warmup 2] [--threads 1,2] [--write]
//
// --threads is a list: for each count t both sides run, onnxkit with intraOpNumThreads t (the Trainer's
// default dataParallel 'auto' then runs t replicas of one thread each: trainer.replicas is reported) and
// PyTorch with torch.set_num_threads(t). Each repeat runs both sides of every thread count in turn
// (which side goes first alternates), each in its own fresh process so
// that its peak RSS is its own: onnxkit (this script with --worker: generateArtifacts + Trainer.create,
// then trainStep + optimizerStep + lazyResetGrad) and PyTorch (scripts/bench/torch_mobilenet_training.py:
// forward, cross-entropy, backward, AdamW). Reported: median samples/s over the repeats (the timed steps
// follow the warm-up ones; process start, export and artifact generation are not timed) and the median
// peak RSS. Same model and weights (exported once by the PyTorch script), same batch, AdamW with the
// same hyper-parameters, same thread count. The onnxkit worker also reports its peak RSS after the first step,
// to show how much the peak grows after it. --write replaces the "## Training a real architecture"
// section of docs/BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeModel, generateArtifacts, Trainer } from '@onnxkit/node';
import { writeBenchmarkSection } from './benchmarks-doc.js';
import { loadAverage, machineInfo, median } from './measure.js';
import { ARTIFACT_OPTIONS, BATCH, memoryBreakdown, SIZE, stepper, trainerOptions } from './mobilenet-memory.js';

/** Steps of the memory breakdown's runs (not timed). */
const MEMORY_STEPS = 4;
const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = path.join(import.meta.dirname, 'torch_mobilenet_training.py');
const HEADING = '## Training a real architecture';

interface Measured {
  seconds: number;
  steps: number;
  maxRssKiB: number;
  /** onnxkit only: the Trainer's replicas, and the peak RSS after the first step. */
  replicas?: number;
  firstStepMaxRssKiB?: number;
}

/** The onnxkit side, in this (fresh) process: prints one JSON line like the PyTorch script. */
async function worker(modelPath: string, threads: number, warmup: number, steps: number): Promise<void> {
  const artifacts = generateArtifacts(decodeModel(readFileSync(modelPath)), ARTIFACT_OPTIONS);
  const trainer = await Trainer.create(artifacts, trainerOptions(threads));
  const step = stepper(trainer);
  let firstStepMaxRssKiB: number | undefined;
  for (let i = 0; i < warmup; i++) {
    await step();
    if (i === 0) firstStepMaxRssKiB = process.resourceUsage().maxRSS;
  }
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - t0) / 1000;
  const replicas = trainer.replicas;
  await trainer.release();
  console.log(JSON.stringify({ seconds, steps, maxRssKiB: process.resourceUsage().maxRSS, replicas, firstStepMaxRssKiB }));
}

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1) as string) as Measured;

/** `--threads 1,2` as [1, 2]: distinct positive integers. */
function threadList(value: string): number[] {
  const list = value.split(',').map((v) => Number(v.trim()));
  if (!list.length || list.some((t) => !Number.isInteger(t) || t < 1) || new Set(list).size !== list.length) {
    throw new RangeError(`--threads must be a comma-separated list of distinct positive integers, got '${value}'`);
  }
  return list;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repeats: { type: 'string', default: '5' },
      steps: { type: 'string', default: '4' },
      warmup: { type: 'string', default: '2' },
      threads: { type: 'string', default: '1' },
      write: { type: 'boolean', default: false },
      worker: { type: 'string' },
    },
  });
  const [repeats, steps, warmup] = [values.repeats, values.steps, values.warmup].map(Number);
  const threadCounts = threadList(values.threads);
  if (values.worker) return worker(values.worker, threadCounts[0], warmup, steps);
  for (const [name, v] of Object.entries({ repeats, steps, warmup })) {
    if (!Number.isInteger(v) || v < (name === 'warmup' ? 0 : 1)) throw new RangeError(`--${name} must be a positive integer, got '${v}'`);
  }
  // The first-step peak is read after the first warm-up step.
  if (warmup < 1) throw new RangeError('--warmup must be at least 1');

  const dir = mkdtempSync(path.join(tmpdir(), 'onnxkit-mobilenet-'));
  try {
    const modelPath = path.join(dir, 'mobilenet_v2.onnx');
    execFileSync(PYTHON, [TORCH_SCRIPT, 'export', modelPath, String(SIZE)], { stdio: ['ignore', 'ignore', 'ignore'] });
    const loadBefore = loadAverage();
    const sides = {
      onnxkit: (threads: number) =>
        lastJson(
          execFileSync(process.execPath, [...process.execArgv, import.meta.filename, '--worker', modelPath, '--threads', String(threads), '--warmup', String(warmup), '--steps', String(steps)], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
            maxBuffer: 1 << 20,
          }),
        ),
      torch: (threads: number) =>
        lastJson(
          execFileSync(PYTHON, [TORCH_SCRIPT, 'train', String(SIZE), String(BATCH), String(threads), String(warmup), String(steps)], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          }),
        ),
    };
    type Side = keyof typeof sides;
    const runs = new Map(threadCounts.map((t) => [t, { onnxkit: [] as Measured[], torch: [] as Measured[] }]));
    for (let r = 0; r < repeats; r++) {
      for (const threads of threadCounts) {
        const order: Side[] = r % 2 ? ['torch', 'onnxkit'] : ['onnxkit', 'torch'];
        for (const side of order) {
          const m = sides[side](threads);
          runs.get(threads)![side].push(m);
          console.error(
            `repeat ${r + 1}/${repeats}, ${threads} thread(s), ${side}: ${((BATCH * m.steps) / m.seconds).toFixed(2)} samples/s, peak RSS ${(m.maxRssKiB / 1024).toFixed(0)} MiB` +
              (m.firstStepMaxRssKiB ? ` (${(m.firstStepMaxRssKiB / 1024).toFixed(0)} MiB after the first step), ${m.replicas} replica(s)` : ''),
          );
        }
      }
    }
    const loadAfter = loadAverage();
    const memory = memoryBreakdown(modelPath, MEMORY_STEPS);
    const rate = (ms: Measured[]) => ms.map((m) => (BATCH * m.steps) / m.seconds);
    const mib = (ms: Measured[], key: 'maxRssKiB' | 'firstStepMaxRssKiB') => median(ms.map((m) => (m[key] ?? NaN) / 1024));
    const f = (x: number, d = 1) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
    const range = (xs: number[]) => `${f(Math.min(...xs), 2)}–${f(Math.max(...xs), 2)}`;
    const rows = threadCounts.map((threads) => {
      const { onnxkit, torch } = runs.get(threads)!;
      const [ok, pt] = [rate(onnxkit), rate(torch)];
      const replicas = [...new Set(onnxkit.map((m) => m.replicas))].join('/');
      const [okRss, ptRss] = [mib(onnxkit, 'maxRssKiB'), mib(torch, 'maxRssKiB')];
      return (
        `| ${threads} | ${replicas} | ${f(median(ok), 2)} (${range(ok)}) | ${f(median(pt), 2)} (${range(pt)}) | **${f(median(ok) / median(pt), 2)}** | ` +
        `${f(mib(onnxkit, 'firstStepMaxRssKiB'), 0)} → ${f(okRss, 0)} MiB | ${f(ptRss, 0)} MiB | ${f(okRss / ptRss, 2)} |`
      );
    });
    const torchVersion = execFileSync(PYTHON, ['-c', 'import torch, torchvision; print(torch.__version__, torchvision.__version__)'], { encoding: 'utf8' }).trim();
    const machine = machineInfo();
    const list = threadCounts.join(',');
    const command = `flock /tmp/bench.lock pnpm tsx scripts/bench/mobilenet-training.ts --repeats ${repeats} --steps ${steps} --warmup ${warmup} --threads ${list}${values.write ? ' --write' : ''}`;
    const section = [
      HEADING,
      '',
      `Command: \`${command}\`. torchvision's mobilenet_v2 (2.24 M parameters, num_classes=10, weights of scripts/fixtures/torchvision_reference.py), ` +
        `exported by torch.onnx.export at opset 17 (BatchNormalization frozen: eval mode), input ${BATCH}×3×${SIZE}×${SIZE}. ` +
        "onnxkit: `generateArtifacts(model, { optimizer: 'adamw', weightDecay: 0.01 })`, `Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: t, interOpNumThreads: 1 })` " +
        '(the cpu target; with t > 1 the default `dataParallel: \'auto\'` runs t replicas of the training graph, one thread each, on slices of the batch: the "replicas" column is `trainer.replicas`), ' +
        `trainStep + optimizerStep per batch. PyTorch ${torchVersion.replace(' ', ', torchvision ')}: the same model and weights in eval mode, ` +
        '`torch.optim.AdamW` with the same hyper-parameters, `torch.set_num_threads(t)`, forward + cross-entropy + backward + step (scripts/bench/torch_mobilenet_training.py). ' +
        `Each side runs in a fresh process per repeat (peak RSS is that process's \`maxRSS\`: model, runtime, and autograd state or the sessions; onnxkit's process also generates the artifacts from the model, which counts in its peak); ${warmup} warm-up steps, then ${steps} timed ones; ` +
        `median of ${repeats} repeats (range in brackets), the sides alternating which goes first; ratios are of medians measured in the same run.`,
      '',
      `Machine: ${machine.nproc} cores (nproc), ${machine.cpu}; Node ${machine.node}. Load average (1/5/15 min) before ${loadBefore.join(' / ')}, ` +
        `after ${loadAfter.join(' / ')}: other jobs shared the cores during the run, so absolute figures are noisy; the ratios are the figures to read.`,
      '',
      '| threads t | onnxkit replicas | onnxkit samples/s | PyTorch samples/s | onnxkit / PyTorch | onnxkit peak RSS: after step 1 → end | PyTorch peak RSS | RSS onnxkit / PyTorch |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      ...memory,
      '',
    ].join('\n');
    console.log(section);
    if (values.write) writeBenchmarkSection(HEADING, section);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

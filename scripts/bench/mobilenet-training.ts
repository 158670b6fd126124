// Training a real architecture: torchvision's mobilenet_v2 (128×128 RGB, batch 16, 10 classes, frozen
// BatchNormalization) with onnxkit's Trainer on ORT CPU vs PyTorch 1.13 (CPU), in one run.
//
//   pnpm tsx scripts/bench/mobilenet-training.ts [--repeats 5] [--steps 4] [--warmup 2] [--threads 1] [--write]
//
// Each repeat runs both sides in turn (which goes first alternates), each in its own fresh process so
// that its peak RSS is its own: onnxkit (this script with --worker: generateArtifacts + Trainer.create,
// then trainStep + optimizerStep + lazyResetGrad) and PyTorch (scripts/bench/torch_mobilenet_training.py:
// forward, cross-entropy, backward, AdamW). Reported: median samples/s over the repeats (the timed steps
// follow the warm-up ones; process start, export and artifact generation are not timed) and the median
// peak RSS. Same model and weights (exported once by the PyTorch script), same batch, AdamW with the
// same hyper-parameters, same thread count. --write replaces the "## Training a real architecture"
// section of docs/BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeModel, generateArtifacts, oneHot, Trainer } from '@onnxkit/node';
import { hashedValues } from '../../packages/testkit/src/torchvision-fixture.js';
import { writeBenchmarkSection } from './benchmarks-doc.js';
import { loadAverage, median } from './measure.js';

const SIZE = 128;
const BATCH = 16;
const CLASSES = 10;
const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = path.join(import.meta.dirname, 'torch_mobilenet_training.py');
const HEADING = '## Training a real architecture';

interface Measured {
  seconds: number;
  steps: number;
  maxRssKiB: number;
}

/** The onnxkit side, in this (fresh) process: prints one JSON line like the PyTorch script. */
async function worker(modelPath: string, threads: number, warmup: number, steps: number): Promise<void> {
  const artifacts = generateArtifacts(decodeModel(readFileSync(modelPath)), { loss: 'cross-entropy', optimizer: 'adamw', weightDecay: 0.01 });
  const trainer = await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: threads, interOpNumThreads: 1 });
  const input = { data: hashedValues(BATCH * 3 * SIZE * SIZE, 0, 0, 1), dims: [BATCH, 3, SIZE, SIZE] };
  const labels = { data: oneHot(Int32Array.from({ length: BATCH }, (_, i) => i % CLASSES), CLASSES), dims: [BATCH, CLASSES] };
  const step = async () => {
    await trainer.trainStep({ input }, labels);
    await trainer.optimizerStep({ learningRate: 1e-3 });
    trainer.lazyResetGrad();
  };
  for (let i = 0; i < warmup; i++) await step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - t0) / 1000;
  await trainer.release();
  console.log(JSON.stringify({ seconds, steps, maxRssKiB: process.resourceUsage().maxRSS }));
}

const lastJson = (out: string) => JSON.parse(out.trim().split('\n').at(-1) as string) as Measured;

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
  const [repeats, steps, warmup, threads] = [values.repeats, values.steps, values.warmup, values.threads].map(Number);
  if (values.worker) return worker(values.worker, threads, warmup, steps);
  for (const [name, v] of Object.entries({ repeats, steps, warmup, threads })) {
    if (!Number.isInteger(v) || v < (name === 'warmup' ? 0 : 1)) throw new RangeError(`--${name} must be a positive integer, got '${v}'`);
  }

  const dir = mkdtempSync(path.join(tmpdir(), 'onnxkit-mobilenet-'));
  try {
    const modelPath = path.join(dir, 'mobilenet_v2.onnx');
    execFileSync(PYTHON, [TORCH_SCRIPT, 'export', modelPath, String(SIZE)], { stdio: ['ignore', 'ignore', 'ignore'] });
    const loadBefore = loadAverage();
    const sides = {
      onnxkit: () =>
        lastJson(
          execFileSync(process.execPath, [...process.execArgv, import.meta.filename, '--worker', modelPath, '--threads', String(threads), '--warmup', String(warmup), '--steps', String(steps)], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'inherit'],
            maxBuffer: 1 << 20,
          }),
        ),
      torch: () =>
        lastJson(
          execFileSync(PYTHON, [TORCH_SCRIPT, 'train', String(SIZE), String(BATCH), String(threads), String(warmup), String(steps)], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          }),
        ),
    };
    const runs: Record<keyof typeof sides, Measured[]> = { onnxkit: [], torch: [] };
    for (let r = 0; r < repeats; r++) {
      const order = (r % 2 ? ['torch', 'onnxkit'] : ['onnxkit', 'torch']) as (keyof typeof sides)[];
      for (const side of order) {
        const m = sides[side]();
        runs[side].push(m);
        console.error(`repeat ${r + 1}/${repeats} ${side}: ${((BATCH * m.steps) / m.seconds).toFixed(2)} samples/s, peak RSS ${(m.maxRssKiB / 1024).toFixed(0)} MiB`);
      }
    }
    const loadAfter = loadAverage();
    const rate = (ms: Measured[]) => ms.map((m) => (BATCH * m.steps) / m.seconds);
    const rss = (ms: Measured[]) => median(ms.map((m) => m.maxRssKiB / 1024));
    const f = (x: number, d = 1) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
    const [ok, pt] = [rate(runs.onnxkit), rate(runs.torch)];
    const torchVersion = execFileSync(PYTHON, ['-c', 'import torch, torchvision; print(torch.__version__, torchvision.__version__)'], { encoding: 'utf8' }).trim();
    const command = `pnpm tsx scripts/bench/mobilenet-training.ts --repeats ${repeats} --steps ${steps} --warmup ${warmup} --threads ${threads}${values.write ? ' --write' : ''}`;
    const section = [
      HEADING,
      '',
      `Command: \`${command}\`. torchvision's mobilenet_v2 (2.24 M parameters, num_classes=10, weights of scripts/fixtures/torchvision_reference.py), ` +
        `exported by torch.onnx.export at opset 17 (BatchNormalization frozen: eval mode), input ${BATCH}×3×${SIZE}×${SIZE}. ` +
        "onnxkit: `generateArtifacts(model, { optimizer: 'adamw', weightDecay: 0.01 })`, `Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: " +
        `${threads}, interOpNumThreads: 1 })\` (the cpu target), trainStep + optimizerStep per batch. PyTorch ${torchVersion.replace(' ', ', torchvision ')}: the same model and weights in eval mode, ` +
        `\`torch.optim.AdamW\` with the same hyper-parameters, \`torch.set_num_threads(${threads})\`, forward + cross-entropy + backward + step (scripts/bench/torch_mobilenet_training.py). ` +
        `Each side runs in a fresh process per repeat (peak RSS is that process's \`maxRSS\`: model, runtime, and autograd state or the sessions; onnxkit's process also generates the artifacts from the model, which counts in its peak); ${warmup} warm-up steps, then ${steps} timed ones; ` +
        `median of ${repeats} repeats, the sides alternating which goes first.`,
      '',
      `Machine: ${cpus().length} cores (nproc), ${cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}. Load average (1/5/15 min) before ${loadBefore.join(' / ')}, ` +
        `after ${loadAfter.join(' / ')}: the cores were shared with other jobs during the run (run with nice), so absolute figures are noisy; the ratio is the figure to read.`,
      '',
      '| | samples/s (median) | range of repeats | peak RSS (median) |',
      '|---|---:|---|---:|',
      `| onnxkit (ORT CPU) | ${f(median(ok), 2)} | ${f(Math.min(...ok), 2)}–${f(Math.max(...ok), 2)} | ${f(rss(runs.onnxkit), 0)} MiB |`,
      `| PyTorch | ${f(median(pt), 2)} | ${f(Math.min(...pt), 2)}–${f(Math.max(...pt), 2)} | ${f(rss(runs.torch), 0)} MiB |`,
      `| onnxkit / PyTorch | **${f(median(ok) / median(pt), 2)}** | | ${f(rss(runs.onnxkit) / rss(runs.torch), 2)} |`,
      '',
    ].join('\n');
    console.log(section);
    if (values.write) writeBenchmarkSection(HEADING, section);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

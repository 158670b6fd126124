// Where a training process's memory goes: the resident set (RSS) of one fresh process after each phase
// of scripts/bench/mobilenet-training.ts's onnxkit side (model decoded, artifacts generated, sessions
// created, each training step), with the Trainer's session defaults or with ORT's memory pattern on.
//
//   pnpm tsx scripts/bench/mobilenet-memory.ts MODEL.onnx [--threads 1] [--steps 4] [--mem-pattern]
//
// MODEL.onnx is the export of scripts/bench/torch_mobilenet_training.py (`export OUT.onnx 128`);
// mobilenet-training.ts runs this script and puts its figures in docs/BENCHMARKS.md. Prints one JSON
// line: the phases, each with the RSS then and the peak RSS so far (MiB), and the number of trainable
// parameter elements. Memory only: nothing here is timed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeModel, generateArtifacts, oneHot, Trainer } from '@onnxkit/node';
import { hashedValues } from '../../packages/testkit/src/torchvision-fixture.js';

/** Input height and width of the batch mobilenet-training.ts trains on. */
export const SIZE = 128;
/** Images per batch. */
export const BATCH = 16;
/** Classes of the model (num_classes). */
export const CLASSES = 10;

/** The artifacts both scripts train (AdamW as in the PyTorch side: weight decay 0.01). */
export const ARTIFACT_OPTIONS = { loss: 'cross-entropy', optimizer: 'adamw', weightDecay: 0.01 } as const;

/** The Trainer's options at `threads` intra-op threads (with more than one: that many data-parallel replicas). */
export const trainerOptions = (threads: number) => ({ device: 'cpu', intraOpNumThreads: threads, interOpNumThreads: 1 }) as const;

/** One optimizer step on the benchmark's batch (the same hashed values as the PyTorch side's). */
export function stepper(trainer: Trainer): () => Promise<void> {
  const input = { data: hashedValues(BATCH * 3 * SIZE * SIZE, 0, 0, 1), dims: [BATCH, 3, SIZE, SIZE] };
  const labels = { data: oneHot(Int32Array.from({ length: BATCH }, (_, i) => i % CLASSES), CLASSES), dims: [BATCH, CLASSES] };
  return async () => {
    await trainer.trainStep({ input }, labels);
    await trainer.optimizerStep({ learningRate: 1e-3 });
    trainer.lazyResetGrad();
  };
}

/** RSS after one phase, and the process's peak so far, in MiB. */
export interface Phase {
  phase: string;
  rssMiB: number;
  maxRssMiB: number;
}

/** What one run of this script prints. */
export interface MemoryReport {
  phases: Phase[];
  parameterElements: number;
}

/** One run of this script in a fresh process (its RSS is its own). */
function measure(modelPath: string, steps: number, memPattern: boolean): MemoryReport {
  const args = [...process.execArgv, import.meta.filename, modelPath, '--threads', '1', '--steps', String(steps), ...(memPattern ? ['--mem-pattern'] : [])];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as MemoryReport;
}

/**
 * The "where the memory goes" part of docs/BENCHMARKS.md's section: a table of the RSS after each phase
 * with the Trainer's defaults and with ORT's memory pattern on (1 thread, `steps` steps), and what it shows.
 */
export function memoryBreakdown(modelPath: string, steps: number): string[] {
  const [off, on] = [measure(modelPath, steps, false), measure(modelPath, steps, true)];
  const f = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const at = (r: MemoryReport, phase: string) => r.phases.find((p) => p.phase === phase)!.rssMiB;
  const peak = (r: MemoryReport) => r.phases.at(-1)!.maxRssMiB;
  const row = (label: string, r: MemoryReport) => `| ${label} | ${r.phases.map((p) => f(p.rssMiB)).join(' | ')} | ${f(peak(r))} |`;
  const generation = (3 * off.parameterElements * 4) / 2 ** 20;
  return [
    `**Where onnxkit's memory goes** (\`pnpm tsx scripts/bench/mobilenet-memory.ts MODEL.onnx --threads 1 --steps ${steps} [--mem-pattern]\`, run by this script after the timed repeats: ` +
      'a fresh process each, its RSS after each phase and its peak, MiB):',
    '',
    `| Trainer sessions | ${off.phases.map((p) => p.phase).join(' | ')} | peak RSS |`,
    `|---|${off.phases.map(() => '---:|').join('')}---:|`,
    row("the Trainer's defaults (`enableMemPattern: false`)", off),
    row("`enableMemPattern: true` (ORT's own default)", on),
    '',
    `Node with tsx and onnxruntime-node loaded holds ${f(at(off, 'Node started'))} MiB; decoding the model and generating the artifacts add ` +
      `${f(at(off, 'artifacts generated') - at(off, 'Node started'))}, starting the three sessions ${f(at(off, 'sessions created') - at(off, 'artifacts generated'))}. ` +
      `The first step adds ${f(at(off, 'step 1') - at(off, 'sessions created'))} MiB: ORT's CPU arena, which serves the training graph's tensors ` +
      '(the activations its backward pass reads, the gradients) and keeps what it has grown to for the next steps. ' +
      `With ORT's memory pattern on, the second step adds ${f(at(on, 'step 2') - at(on, 'step 1'))} MiB more: from the second run on ORT allocates ` +
      "the planned block of all of a step's tensors in one piece, the arena cannot make it out of the first run's chunks, and it never shrinks, so it holds both. " +
      'The Trainer turns the pattern off unless the caller sets `enableMemPattern` (step times unchanged, measured: packages/core/src/train/trainer/session-defaults.ts). ' +
      `The previous generation the Trainer keeps for \`restorePrevious\` (parameters and AdamW's two moments, 3 × ${f(off.parameterElements)} floats) is ${f(generation)} MiB.`,
  ];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { threads: { type: 'string', default: '1' }, steps: { type: 'string', default: '4' }, 'mem-pattern': { type: 'boolean', default: false } },
  });
  const [modelPath] = positionals;
  const [threads, steps] = [values.threads, values.steps].map(Number);
  if (!modelPath || !Number.isInteger(threads) || threads < 1 || !Number.isInteger(steps) || steps < 1) {
    throw new RangeError('usage: mobilenet-memory.ts MODEL.onnx [--threads n >= 1] [--steps n >= 1] [--mem-pattern]');
  }
  const phases: Phase[] = [];
  const mark = (phase: string) =>
    phases.push({ phase, rssMiB: process.memoryUsage().rss / 2 ** 20, maxRssMiB: process.resourceUsage().maxRSS / 1024 });
  mark('Node started');
  const model = decodeModel(readFileSync(modelPath));
  mark('model decoded');
  const artifacts = generateArtifacts(model, ARTIFACT_OPTIONS);
  mark('artifacts generated');
  const trainer = await Trainer.create(artifacts, { ...trainerOptions(threads), ...(values['mem-pattern'] ? { enableMemPattern: true } : {}) });
  mark('sessions created');
  const step = stepper(trainer);
  for (let i = 1; i <= steps; i++) {
    await step();
    mark(`step ${i}`);
  }
  const parameterElements = trainer.getParametersSize();
  await trainer.release();
  console.log(JSON.stringify({ phases, parameterElements } satisfies MemoryReport));
}

if (process.argv[1] === import.meta.filename) await main();

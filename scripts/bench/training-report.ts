// The "## Training" section of docs/BENCHMARKS.md, from scripts/bench/training.ts's results.
import { BENCHMARKS_DOC, writeBenchmarkSection } from './benchmarks-doc.js';
import { formatProfile } from './profile-training.js';
import type { Paired, TrainingResults } from './training.js';

/** The "## Training" section of docs/BENCHMARKS.md. */
export function formatTrainingSection(r: TrainingResults): string {
  const f = (x: number, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const spread = (xs: number[], d = 0) => `${f(Math.min(...xs), d)}–${f(Math.max(...xs), d)}`;
  const lines = [
    '## Training',
    '',
    `Command: \`${r.command}\` (also run by \`pnpm bench\`). The seed CNN (\`buildSeedCnn\`, 93,322 parameters), ` +
      "`generateArtifacts(model, { optimizer: 'adamw' })`, `Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: t, interOpNumThreads: 1 })` " +
      "(the public path: the Trainer runs the artifacts' `cpu` target on the CPU, and with t > 1 threads t data-parallel replicas of one ORT thread each, each training a slice of every batch on a worker thread; \"portable\" is the same Trainer pinned to `target: 'portable'`, the formulation every device runs and the only one before the targets; \"one session\" is the same Trainer with `dataParallel: 1`, ORT's own intra-op threads sharing one run, as before the replicas), " +
      'trainStep + optimizerStep per batch of real digits (`loadMnistDigits()`, 9,000 training digits, batches copied out and one-hot encoded as fit() does). ' +
      'PyTorch: the same network, `torch.optim.AdamW` with the same hyper-parameters, `torch.set_num_threads(t)`, the same batches (gathered with `index_select`), ' +
      'forward + cross-entropy + backward + step, in a long-lived worker (scripts/bench/torch_training.py).',
    '',
    `Machine: ${r.machine.nproc} cores (nproc), ${r.machine.cpu}; Node ${r.machine.node}, onnxruntime-node ${r.machine.onnxruntime}, PyTorch ${r.machine.torch} (Debian python3-torch, CPU). ` +
      `Load average (1/5/15 min) before ${r.load.before.join(' / ')}, after ${r.load.after.join(' / ')}: other engineers' jobs shared these 2 cores during the run, ` +
      'so absolute figures are noisy (see the ranges) and 2-thread figures depend on how busy the second core was. The sides alternate (which one goes first alternates too), so load affects both alike; ' +
      'the CPU-time columns (samples per CPU-second of the whole process, all threads) depend much less on the load than wall-clock figures — at 1 thread they are the fairest comparison.',
  ];
  const dash = '—';
  const passiveCell = (x: Paired, d: number) => (x.torchPassive === undefined ? dash : f(x.torchPassive, d));
  const passiveRatio = (x: Paired) => (x.ratioPassive === undefined ? dash : `**${f(x.ratioPassive, 2)}**`);
  if (r.throughput.length) {
    lines.push(
      '',
      `### Throughput (median of ${r.settings.repeats} repeats of ${r.settings.steps} timed batches after ${r.settings.warmup} warm-up ones; goal: onnxkit ≥ 1.5× PyTorch at batch 64 / 2 threads and batch 32 / 1 thread)`,
      '',
      'Samples/s, wall clock. "PyTorch, passive" is the same PyTorch with `OMP_WAIT_POLICY=PASSIVE` (its OpenMP threads sleep instead of spin-waiting; only differs with 2 threads). ' +
        '"bare ORT" is the `cpu` training graph alone (no optimizer, no gradient sum, no onnxkit) in one 1-thread ORT session per thread, each on a slice of the batch, all at once (scripts/bench/bare-streams.ts): the most the replicas could reach on these cores.',
      '',
      '| batch | threads | onnxkit | onnxkit, portable | cpu / portable | onnxkit, one session | replicas / one session | bare ORT | onnxkit / bare ORT | PyTorch | onnxkit / PyTorch | PyTorch, passive | onnxkit / PyTorch, passive | range of repeats: onnxkit / portable / PyTorch |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      ...r.throughput.map(
        (t) =>
          `| ${t.batch} | ${t.threads} | ${f(t.onnxkit)} | ${f(t.portable.samples)} | ${f(t.onnxkit / t.portable.samples, 2)} | ${t.oneSession ? f(t.oneSession.samples) : dash} | ${t.oneSession ? f(t.onnxkit / t.oneSession.samples, 2) : dash} | ${f(t.bare.samples)} | ${f(t.onnxkit / t.bare.samples, 2)} | ${f(t.torch)} | **${f(t.ratio, 2)}** | ${passiveCell(t, 0)} | ${passiveRatio(t)} | ${spread(t.onnxkitRuns)} / ${spread(t.portable.runs)} / ${spread(t.torchRuns)} |`,
      ),
      ...scalingLines(r, f),
      '',
      'Samples per CPU-second (process CPU time of all threads; spin-waiting counts as CPU time, so at 2 threads this mostly measures spinning):',
      '',
      '| batch | threads | onnxkit | onnxkit, portable | PyTorch | onnxkit / PyTorch |',
      '|---:|---:|---:|---:|---:|---:|',
      ...r.throughput.map((t) => `| ${t.batch} | ${t.threads} | ${f(t.cpu.onnxkit)} | ${f(t.portable.cpu)} | ${f(t.cpu.torch)} | **${f(t.cpu.ratio, 2)}** |`),
    );
  }
  if (r.epoch || r.fineTune.length) {
    lines.push(
      '',
      `### Epoch and fine-tuning time (fit(), batch ${r.settings.epochBatch}, ${r.settings.epochThreads} threads; PyTorch: the same loop over shuffled batches)`,
      '',
      '| run | onnxkit (s) | PyTorch (s) | onnxkit / PyTorch (time) | PyTorch, passive (s) | onnxkit / PyTorch, passive | range of runs: onnxkit / PyTorch (s) |',
      '|---|---:|---:|---:|---:|---:|---|',
    );
    if (r.epoch) {
      lines.push(
        `| one epoch, ${f(r.epoch.examples)} digits, all parameters (median of ${r.settings.epochRepeats}) | ${f(r.epoch.onnxkit, 1)} | ${f(r.epoch.torch, 1)} | **${f(r.epoch.ratio, 2)}** | ${passiveCell(r.epoch, 1)} | ${passiveRatio(r.epoch)} | ${spread(r.epoch.onnxkitRuns, 1)} / ${spread(r.epoch.torchRuns, 1)} |`,
      );
    }
    for (const t of r.fineTune) {
      lines.push(
        `| fine-tuning, one epoch over ${f(t.examples)} digits, ${t.trainable} (median of ${r.settings.repeats}) | ${f(t.onnxkit, 2)} | ${f(t.torch, 2)} | **${f(t.ratio, 2)}** | ${passiveCell(t, 2)} | ${passiveRatio(t)} | ${spread(t.onnxkitRuns, 2)} / ${spread(t.torchRuns, 2)} |`,
      );
    }
    const head = r.fineTune.find((t) => t.trainable.startsWith('head'));
    const all = r.fineTune.find((t) => t.trainable.startsWith('all'));
    if (head && all) {
      lines.push(
        '',
        `Head-only fine-tuning takes ${f(head.onnxkit / all.onnxkit, 2)}x the time of full fine-tuning with onnxkit (PyTorch: ${f(head.torch / all.torch, 2)}x): ` +
          'its training graph runs the forward pass and the gradient of fc2 only, and its optimizer updates 650 numbers instead of 93,322.',
      );
    }
  }
  if (r.profile) {
    lines.push(
      '',
      '### Where the time goes (onnxkit, `pnpm tsx scripts/bench/profile-training.ts --target cpu|portable`)',
      '',
      '**After: the `cpu` target** (what the public path runs on the CPU).',
      '',
      formatProfile(r.profile.cpu),
      '',
      '**Before: the `portable` target** (same run).',
      '',
      formatProfile(r.profile.portable),
    );
  }
  return lines.join('\n') + '\n';
}

/** Replaces (or appends) the "## Training" section of docs/BENCHMARKS.md, leaving the rest as it is. */
export function writeTrainingSection(section: string, file = BENCHMARKS_DOC): void {
  writeBenchmarkSection('## Training', section, file);
}


/** onnxkit's samples/s at 2 threads over 1 thread, per batch size measured at both. */
function scalingLines(r: TrainingResults, f: (x: number, d?: number) => string): string[] {
  const at = (batch: number, threads: number) => r.throughput.find((t) => t.batch === batch && t.threads === threads);
  const rows = [...new Set(r.throughput.map((t) => t.batch))].flatMap((batch) => {
    const one = at(batch, 1);
    const two = at(batch, 2);
    if (!one || !two) return [];
    const single = two.oneSession ? `, one session ${f(two.oneSession.samples / one.onnxkit, 2)}×` : '';
    return [`batch ${batch}: ${f(two.onnxkit / one.onnxkit, 2)}× (PyTorch ${f(two.torch / one.torch, 2)}×${single}, bare ORT ${f(two.bare.samples / one.bare.samples, 2)}×)`];
  });
  return rows.length ? ['', `2 threads over 1 thread, onnxkit samples/s (goal ≥ 1.6× at batch 64): ${rows.join('; ')}.`] : [];
}

// The BENCHMARKS.md inference section from a run of scripts/bench/inference.ts.
import { BENCHMARKS_DOC, writeBenchmarkSection } from './benchmarks-doc.js';
import type { InferenceResults } from './inference.js';

const fmt = (v: number, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

/** The "## Inference" section of docs/BENCHMARKS.md. */
export function formatInferenceSection(r: InferenceResults): string {
  const m = r.machine;
  const lines = [
    '## Inference',
    '',
    `Command: \`${r.command}\` (also run by \`pnpm bench\`). Model: \`models/onnx/mnist-cnn.onnx\` (the seed CNN, 93,322 parameters).`,
    `Machine: ${m.nproc} cores (${m.cpu}), Node ${m.node}, onnxruntime-node ${m.onnxruntime}, PyTorch ${m.torch} ` +
      "(Debian's python3-torch: oneDNN, generic BLAS). " +
      `Load average before/after: ${r.load.before.join(' ')} / ${r.load.after.join(' ')} — the cores are shared with other ` +
      'work, so absolute figures are noisy; the sides are interleaved so ratios are fairer than absolutes.',
    '',
    `### onnxkit overhead over onnxruntime-node (same model, options and inputs; median of ${r.settings.repeats} repeats)`,
    '',
    'The two sides alternate in adjacent pairs (batch 1: blocks of 100 calls; batch 64: single calls); "added" is the ' +
      'median over all pairs of the onnxkit − ORT difference (batch 1) or ratio (batch 64), so a load spike mostly hits ' +
      'both sides of a pair; the per-call columns are medians of the repeats. ' +
      `onnxkit's own work per call, timed alone without ORT (input checks, tensor creation, output wrapper; CPU time, ` +
      `100,000 calls): **${fmt(r.ownWork, 1)} µs** — the rest of any difference below is load noise.`,
    '',
    'Each call wraps a Float32Array view of held-out digits in a tensor (`new ort.Tensor` raw; `{ data, dims }` through ' +
      "onnxkit's input checks) and runs it. PyTorch runs the same network (weights loaded from the ONNX initializers; " +
      `max |Δp| vs onnxkit on 64 digits: ${r.torchMaxDiff.toExponential(1)}) under \`no_grad\` on the same inputs; ` +
      'its OpenMP workers suffer most from the shared cores (2 threads at batch 1 mostly wait for a core).',
    '',
    '| batch | threads | onnxruntime-node | onnxkit | onnxkit added | goal | PyTorch 1.13 | onnxkit / PyTorch time |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const o of r.overhead) {
    const unit = o.batch === 1 ? (v: number) => `${fmt(v)} µs` : (v: number) => `${fmt(v / 1000, 2)} ms`;
    const added = o.batch === 1 ? `${o.added >= 0 ? '+' : ''}${fmt(o.added, 1)} µs` : `${o.ratio >= 1 ? '+' : ''}${fmt((o.ratio - 1) * 100, 1)}%`;
    const goal = o.batch === 1 ? `≤ 50 µs: ${verdict(o.added <= 50)}` : `≤ 3%: ${verdict(o.ratio <= 1.03)}`;
    lines.push(`| ${o.batch} | ${o.threads} | ${unit(o.ort)} | ${unit(o.onnxkit)} | ${added} | ${goal} | ${unit(o.torch)} | ${fmt(o.onnxkit / o.torch, 2)}x |`);
  }
  lines.push(
    '',
    '### Images/s end to end from PNG files on disk',
    '',
    '`Classifier.classify(files)` with the model\'s own spec (read + sharp decode + MNIST preprocessing + inference, ' +
      'batches of 64, default threads), median of the repeats; then each stage alone on the same files ' +
      '(decode: 4 in flight; preprocess: one thread; inference: `classifyTensor`). CPU time counts every thread of the ' +
      'process (libuv, ORT); "2 idle cores at that CPU cost" is 2 s of CPU per second divided by it — what the same ' +
      'work would reach on two cores nobody else uses, if it kept both busy. 8-bit PNGs up to 512x512 without ' +
      'colour profiles are decoded by the built-in PNG path (Node zlib), everything else by sharp.',
    '',
    '| images | count | end to end (wall clock) | CPU time per image | 2 idle cores at that CPU cost | goal (≥ 1,000/s on 2 cores) | decode only | preprocess only | inference only |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const e of r.endToEnd) {
    const projected = 2e6 / e.cpuPerImage;
    const goal = e.images.startsWith('28x28') ? `${verdict(e.imagesPerSecond >= 1000)} (wall clock)` : '—';
    lines.push(
      `| ${e.images} | ${e.count} | **${fmt(e.imagesPerSecond)}/s** | ${fmt(e.cpuPerImage)} µs | ${fmt(projected)}/s | ${goal} | ` +
        `${fmt(e.decodePerSecond)}/s | ${fmt(e.preprocessPerSecond)}/s | ${fmt(e.inferencePerSecond)}/s |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Replaces (or appends) the "## Inference" section of docs/BENCHMARKS.md, leaving the rest as it is. */
export function writeInferenceSection(section: string, file = BENCHMARKS_DOC): void {
  writeBenchmarkSection('## Inference', section, file);
}


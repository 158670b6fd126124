import type { ClassificationReport, DeviceFailure, EpochEndInfo, FitStopReason } from '@onnxkit/core';
import type { CliContext } from '../context.js';
import type { DataDescription } from './data-source.js';
import type { EmbeddingReport } from './frozen-backbone.js';
import type { TrainingRecipe } from './recipe.js';

/** What `onnxkit train` and `onnxkit finetune` print (`--json` prints exactly this). */
export interface TrainReport {
  command: 'train' | 'finetune';
  /** The model as given (a file) or `arch:seed-cnn`. */
  model: string;
  device: string;
  fallbacks: DeviceFailure[];
  data: DataDescription & { training: number; validation: number };
  /** With a frozen backbone (`finetune --head-only`): how the embeddings the head trained on were made. */
  embedding?: EmbeddingReport;
  trainable: { tensors: string[]; elements: number };
  recipe: TrainingRecipe;
  stopReason: FitStopReason;
  /** The optimizer step whose loss was NaN/Inf (the parameters before it were kept). */
  nonFiniteStep?: number;
  /** Optimizer steps in all (including those before a resume). */
  steps: number;
  /** Seconds this invocation spent training. */
  seconds: number;
  history: EpochEndInfo[];
  /** Metrics of the trained model on the validation data, or on the training data without validation. */
  evaluation?: ClassificationReport & { on: 'validation' | 'training' };
  /** The written model (absolute) and its sha256; absent when interrupted. */
  out?: string;
  sha256?: string;
  plots?: { curves?: string; confusion?: string };
  /** Where an interrupted run saved its checkpoint. */
  checkpoint?: string;
  /** The checkpoint this run continued. */
  resumedFrom?: string;
}

const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** The report as a few human lines on stdout (the epochs were already shown on stderr). */
export function printTrainReport(r: TrainReport, ctx: CliContext): void {
  const lines: string[] = [];
  const d = r.data;
  lines.push(
    `${r.command === 'train' ? 'trained' : 'fine-tuned'} ${r.model} on ${r.device}: ${count(d.training)} examples` +
      `${d.validation ? ` (+${count(d.validation)} validation)` : ''}, ${d.classes} classes; ` +
      `${count(r.trainable.elements)} parameters in ${r.trainable.tensors.length} tensors trained`,
  );
  if (r.resumedFrom) lines.push(`resumed from ${r.resumedFrom}`);
  const e = r.embedding;
  if (e) lines.push(`frozen backbone: ran on ${count(e.computed)} images, ${count(e.cached)} embeddings from the cache${e.cache ? ` (${e.cache})` : ''}, ${e.seconds} s; the head trained on ${e.features} features`);
  const epochs = r.history.length;
  const why: Record<string, string> = {
    completed: 'completed',
    'early-stopping': 'stopped early (validation loss stopped improving)',
    'non-finite-loss': `stopped: the loss or the parameters became NaN/Inf after step ${r.nonFiniteStep}; kept the last parameters with a sane loss`,
    diverged: `stopped: the loss diverged after step ${r.nonFiniteStep} (try a lower learning rate); kept the last parameters with a sane loss`,
    aborted: 'interrupted',
  };
  lines.push(`${why[r.stopReason]} after ${epochs} epoch${epochs === 1 ? '' : 's'}, ${count(r.steps)} steps, ${r.seconds.toFixed(1)} s`);
  if (r.evaluation) lines.push(`${r.evaluation.on} accuracy ${(r.evaluation.accuracy * 100).toFixed(2)}% on ${count(r.evaluation.count)} examples`);
  if (r.out) lines.push(`wrote ${r.out} (sha256 ${r.sha256})`);
  const plots = [r.plots?.curves, r.plots?.confusion].filter(Boolean);
  if (plots.length) lines.push(`wrote ${plots.join(', ')}`);
  if (r.checkpoint) lines.push(`checkpoint saved to ${r.checkpoint}; rerun the same command with --resume ${r.checkpoint} to continue`);
  ctx.stdout(`${lines.join('\n')}\n`);
}

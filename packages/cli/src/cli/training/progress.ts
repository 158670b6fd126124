import type { BatchEndInfo, EpochEndInfo } from '@onnxkit/core';
import { createProgressBar, type ProgressBar } from '../../progress/progress-bar.js';
import type { CliContext } from '../context.js';

/** How training reports progress on stderr: a bar on a terminal, plain lines in logs, or nothing. */
export type ProgressMode = 'bar' | 'lines' | 'none';

/** What {@link trainingProgress} returns: feed it fit's callbacks. */
export interface TrainingProgress {
  batch(info: BatchEndInfo): void;
  epoch(info: EpochEndInfo): void;
  stop(): void;
}

/** Plain-line mode prints a batch at most this often (the first batch of each epoch always). */
const LINE_INTERVAL_MS = 2000;

/** The epoch summary line both modes print. */
export function formatEpoch(e: EpochEndInfo, epochs: number): string {
  const val = e.valLoss !== undefined ? `, val loss ${e.valLoss.toFixed(4)}, val accuracy ${((e.valAccuracy ?? 0) * 100).toFixed(2)}%` : '';
  return `epoch ${e.epoch + 1}/${epochs}: loss ${e.loss.toFixed(4)}${val} (${e.seconds.toFixed(1)} s)`;
}

/** Progress of a fit() run on stderr; stdout stays clean for `--json`. */
export function trainingProgress(ctx: CliContext, mode: ProgressMode, epochs: number): TrainingProgress {
  let bar: ProgressBar | undefined;
  let lastLine = 0;
  let lineEpoch = -1;
  return {
    batch(b) {
      if (mode === 'bar') {
        bar ??= createProgressBar({ label: `epoch ${b.epoch + 1}/${epochs}`, total: b.batchesPerEpoch, fields: ['loss'] });
        bar.update(b.batch + 1, { loss: b.loss.toFixed(4) });
      } else if (mode === 'lines') {
        const now = Date.now();
        if (b.epoch !== lineEpoch || now - lastLine >= LINE_INTERVAL_MS) {
          lineEpoch = b.epoch;
          lastLine = now;
          ctx.stderr(`epoch ${b.epoch + 1}/${epochs} batch ${b.batch + 1}/${b.batchesPerEpoch} loss ${b.loss.toFixed(4)}\n`);
        }
      }
    },
    epoch(e) {
      bar?.stop();
      bar = undefined;
      if (mode !== 'none') ctx.stderr(`${formatEpoch(e, epochs)}\n`);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

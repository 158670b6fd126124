import { createHash } from 'node:crypto';
import path from 'node:path';
import { encodeModel, type ClassificationReport, type EpochEndInfo, type Model, type Trainer } from '@onnxkit/core';
import { writeFileAtomic } from '@onnxkit/node';
import { confusionMatrixSpec } from '../../plots/confusion-matrix.js';
import { renderSvg } from '../../plots/render-svg.js';
import { trainingCurvesSpec } from '../../plots/training-curves.js';

/** `model.onnx` → `model` (where the checkpoint and pictures go next to it). */
export function outputBase(out: string): string {
  return out.replace(/\.onnx$/i, '');
}

/** Exports the trainer's model with `metadata` (through `finish`, when given) and writes it atomically; returns its sha256. */
export async function writeTrainedModel(trainer: Trainer, out: string, metadata: Record<string, string>, docString: string, finish?: (model: Model) => Model): Promise<string> {
  const exported = await trainer.exportModelForInference(metadata);
  const model = finish ? finish(exported) : exported;
  model.producerName = 'onnxkit';
  model.docString = docString;
  const bytes = encodeModel(model);
  await writeFileAtomic(out, bytes, { mkdir: true });
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes `<base>.curves.svg` (and `<base>.confusion.svg` when there is a report); returns their paths. */
export async function writeTrainingPlots(
  base: string,
  history: readonly EpochEndInfo[],
  report: (ClassificationReport & { on: string }) | undefined,
  title: string,
): Promise<{ curves?: string; confusion?: string }> {
  const written: { curves?: string; confusion?: string } = {};
  if (history.length > 0) {
    written.curves = `${base}.curves.svg`;
    await writeFileAtomic(written.curves, await renderSvg(trainingCurvesSpec(history, { title })), { mkdir: true });
  }
  if (report) {
    written.confusion = `${base}.confusion.svg`;
    const heading = `${path.basename(base)}: ${report.on} data, accuracy ${(report.accuracy * 100).toFixed(2)}% on ${report.count} examples`;
    await writeFileAtomic(written.confusion, await renderSvg(confusionMatrixSpec(report, { title: heading })), { mkdir: true });
  }
  return written;
}

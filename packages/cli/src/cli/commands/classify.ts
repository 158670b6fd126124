import {
  Classifier,
  PREPROCESSING_KEY,
  type ClassifyResult,
  type AdapterInfo,
  type DeviceFailure,
  type DeviceOption,
  type Prediction,
  type PreprocessingOption,
  type PreprocessingSpec,
} from '@onnxkit/core';
import type { Command } from 'commander';
import { listImageFiles, nodeImageDecoder, openModelFile } from '@onnxkit/node';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { CliUsageError, oneLine } from '../errors.js';
import { DEVICE_HELP, deviceLines } from '../device-lines.js';
import { parseDevice } from '../parse-device.js';

/** Options of {@link classifyFiles}, as `onnxkit classify` parses them. */
export interface ClassifyCommandOptions {
  /** Classes listed per image. @defaultValue 1 */
  top?: number;
  /** Devices to try. @defaultValue 'auto' */
  device?: DeviceOption;
  /** Preprocessing when the model has no spec (or to override it). @defaultValue the model's spec */
  preprocess?: PreprocessingOption;
  /** Class labels. @defaultValue the model's */
  labels?: string[];
  /** Images per inference call. @defaultValue 64 */
  batchSize?: number;
  /** Pixel limit per image. @defaultValue 50,000,000 */
  maxPixels?: number;
}

/** One image in the report. */
export type ClassifyFileResult =
  | { file: string; ok: true; label: string; index: number; probability: number; top: Prediction[] }
  | { file: string; ok: false; code: string; error: string };

/** What `onnxkit classify` prints (`--json` prints exactly this). */
export interface ClassifyReport {
  model: string;
  device: string;
  /** The adapter the device runs on, when the runtime identified it (webgpu). */
  adapter?: AdapterInfo;
  fallbacks: DeviceFailure[];
  preprocessing: PreprocessingSpec;
  labels: string[];
  results: ClassifyFileResult[];
  /** Images classified and images that failed. */
  classified: number;
  failed: number;
}

/**
 * Classifies image files (folders give their images, sorted by name) with `model`: every image gets a
 * result, a bad one its own error. Throws when the model has no preprocessing spec and none is given.
 */
export async function classifyFiles(model: string, inputs: readonly string[], options: ClassifyCommandOptions = {}): Promise<ClassifyReport> {
  const files = await listImageFiles(inputs);
  if (files.length === 0) throw new CliUsageError(`no images found in ${inputs.join(', ')}`);
  const file = await openModelFile(model);
  const clf = await Classifier.load(file.bytes, {
    device: options.device ?? 'auto',
    decoder: nodeImageDecoder,
    ...(options.preprocess !== undefined ? { preprocessing: options.preprocess } : {}),
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.maxPixels ? { maxPixels: options.maxPixels } : {}),
  });
  try {
    if (!clf.preprocessing) {
      throw new CliUsageError(
        `${model} has no preprocessing spec (metadata '${PREPROCESSING_KEY}'), so images cannot be turned into its input: ` +
          `pass --preprocess mnist (digits), --preprocess resize, or a JSON spec such as --preprocess '{"procedure":"resize","scale":[0,255]}'`,
      );
    }
    const results = await clf.classify(files, { topK: options.top ?? 1 });
    const rows = results.map((r: ClassifyResult, i): ClassifyFileResult =>
      r.ok
        ? { file: files[i], ok: true, label: r.label, index: r.index, probability: r.probability, top: [...r.top] }
        : { file: files[i], ok: false, code: r.error.code, error: withoutSource(r.error.message, r.error.source) },
    );
    const failed = rows.filter((r) => !r.ok).length;
    return {
      model,
      device: clf.device,
      ...(clf.session.adapter ? { adapter: clf.session.adapter } : {}),
      fallbacks: [...clf.session.fallbacks],
      preprocessing: clf.preprocessing,
      labels: [...clf.labels],
      results: rows,
      classified: rows.length - failed,
      failed,
    };
  } finally {
    await clf.dispose();
  }
}

/** The file is printed next to its error already. */
function withoutSource(message: string, source: string): string {
  return message.startsWith(`${source}: `) ? message.slice(source.length + 2) : message;
}

const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

function printText(report: ClassifyReport, ctx: CliContext): void {
  const lines = deviceLines(report);
  const width = Math.max(...report.results.map((r) => r.file.length));
  for (const r of report.results) {
    const what = r.ok ? r.top.map((p) => `${p.label} ${percent(p.probability)}`).join('  ') : `error: ${oneLine(r.error)}`;
    lines.push(`${r.file.padEnd(width)}  ${what}`);
  }
  ctx.stdout(`${lines.join('\n')}\n`);
}

function parsePreprocess(text: string): PreprocessingOption {
  if (!text.trimStart().startsWith('{')) return text as PreprocessingOption;
  try {
    return JSON.parse(text) as PreprocessingOption;
  } catch (e) {
    throw new CliUsageError(`--preprocess: not valid JSON (${(e as Error).message})`);
  }
}

function positive(option: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new CliUsageError(`${option} ${text}: expected a positive integer`);
    return n;
  };
}

/** `onnxkit classify <model> <image|dir>… [--top k] [--json] [--device d] [--preprocess p] [--labels a,b]`. */
export const classifyCommand: CliCommand = {
  name: 'classify',
  register(program: Command, ctx: CliContext): void {
    program
      .command('classify')
      .description(
        'Classify images (PNG, JPEG, WebP, GIF, TIFF, AVIF; folders give their images) with a classifier model, ' +
          'preprocessed by the spec the model carries. Exits 1 if any image could not be classified.',
      )
      .argument('<model>', 'ONNX classifier model file')
      .argument('<images...>', 'image files or folders of images')
      .option('-k, --top <k>', 'list the k most probable classes per image', positive('--top'), 1)
      .option('-d, --device <device>', DEVICE_HELP, 'auto')
      .option(
        '-p, --preprocess <spec>',
        "preprocessing for models without a spec (or to override it): 'mnist', 'resize', or a JSON spec",
      )
      .option('--labels <labels>', 'class labels, comma-separated (default: the model\'s)', (t: string) => t.split(','))
      .option('--batch <n>', 'images per inference call', positive('--batch'), 64)
      .option('--max-pixels <n>', 'refuse images with more pixels', positive('--max-pixels'))
      .option('--json', 'print a JSON report')
      .action(
        async (
          model: string,
          images: string[],
          opts: { top: number; device: string; preprocess?: string; labels?: string[]; batch: number; maxPixels?: number; json?: boolean },
        ) => {
          const report = await classifyFiles(model, images, {
            top: opts.top,
            device: parseDevice(opts.device),
            ...(opts.preprocess !== undefined ? { preprocess: parsePreprocess(opts.preprocess) } : {}),
            ...(opts.labels ? { labels: opts.labels } : {}),
            batchSize: opts.batch,
            ...(opts.maxPixels ? { maxPixels: opts.maxPixels } : {}),
          });
          if (opts.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
          else printText(report, ctx);
          if (report.failed > 0) {
            throw new Error(`${report.failed} of ${report.results.length} images could not be classified (see above)`);
          }
        },
      );
  },
};

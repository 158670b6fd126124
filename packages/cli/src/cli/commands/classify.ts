import {
  Classifier,
  PREPROCESSING_KEY,
  type ClassifyResult,
  type AdapterInfo,
  type DeviceFailure,
  type DeviceOption,
  type ImagePool,
  type PreprocessingOption,
  type PreprocessingSpec,
} from '@onnxkit/core';
import type { Command } from 'commander';
import { listImageFiles, nodeImageDecoder, openModelFile, toFileResult, type ClassifyFileResult } from '@onnxkit/node';

export type { ClassifyFileResult };
import { classifyProgress } from '../classify-progress.js';
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
  const clf = await loadClassifier(model, options);
  try {
    const results = await clf.classify(files, { topK: options.top ?? 1 });
    const rows = results.map((r: ClassifyResult, i): ClassifyFileResult => toFileResult(r, files[i]));
    const failed = rows.filter((r) => !r.ok).length;
    return {
      model,
      device: clf.device,
      ...(clf.session.adapter ? { adapter: clf.session.adapter } : {}),
      fallbacks: [...clf.session.fallbacks],
      preprocessing: clf.preprocessing!,
      labels: [...clf.labels],
      results: rows,
      classified: rows.length - failed,
      failed,
    };
  } finally {
    await clf.dispose();
  }
}

/**
 * Loads `model` as `onnxkit classify` does (images decoded in `pool` when given); throws a usage error
 * saying how to give a spec when the model has no preprocessing spec and none is given.
 */
export async function loadClassifier(model: string, options: ClassifyCommandOptions, pool?: ImagePool): Promise<Classifier> {
  const file = await openModelFile(model);
  const clf = await Classifier.load(file.bytes, {
    device: options.device ?? 'auto',
    decoder: nodeImageDecoder,
    ...(pool ? { pool } : {}),
    ...(options.preprocess !== undefined ? { preprocessing: options.preprocess } : {}),
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.maxPixels ? { maxPixels: options.maxPixels } : {}),
  });
  if (!clf.preprocessing) {
    await clf.dispose();
    throw new CliUsageError(
      `${model} has no preprocessing spec (metadata '${PREPROCESSING_KEY}'), so images cannot be turned into its input: ` +
        `pass --preprocess mnist (digits), --preprocess resize, or a JSON spec such as --preprocess '{"procedure":"resize","scale":[0,255]}'`,
    );
  }
  return clf;
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

interface ClassifyFlags {
  top: number;
  device: string;
  preprocess?: string;
  labels?: string[];
  batch: number;
  maxPixels?: number;
  json?: boolean;
  jsonl?: boolean;
  output?: string;
  workers?: number;
  progress: boolean;
  queue?: string;
  queueName?: string;
  jobSize: number;
}

async function queueCommand(model: string, images: string[], options: ClassifyCommandOptions, opts: ClassifyFlags, ctx: CliContext): Promise<void> {
  if (images.length !== 1) throw new CliUsageError(`--queue takes one folder or list file, got ${images.length} inputs`);
  if (opts.json) throw new CliUsageError('--json prints one report at the end; with --queue every line is already JSON: drop --json');
  const { classifyViaQueue } = await import('@onnxkit/node/queue');
  const s = await classifyViaQueue(
    model,
    images[0],
    {
      url: opts.queue!,
      ...(opts.queueName ? { queue: opts.queueName } : {}),
      ...(opts.output ? { output: opts.output } : {}),
      jobSize: opts.jobSize,
      top: options.top ?? 1,
      ...(options.preprocess !== undefined ? { preprocess: options.preprocess } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.maxPixels ? { maxPixels: options.maxPixels } : {}),
      progress: (total: number) => classifyProgress(opts.progress ? (process.stderr.isTTY ? 'bar' : 'lines') : 'none', total, ctx.stderr),
    },
    ctx.stdout,
    ctx.stderr,
  );
  const skipped = s.skipped ? `, ${s.skipped} already in ${opts.output}` : '';
  ctx.stderr(`run ${s.run}: ${s.classified} classified, ${s.failed} failed${skipped}; ${s.imagesPerSecond.toFixed(1)} images/s through the queue\n`);
  if (s.failed > 0) throw new Error(`${s.failed} of ${s.classified + s.failed} images could not be classified (see their lines)`);
}

async function streamCommand(model: string, images: string[], options: ClassifyCommandOptions, opts: ClassifyFlags, ctx: CliContext): Promise<void> {
  if (opts.json) throw new CliUsageError('--json prints one report at the end; with --jsonl/--output every line is already JSON: drop --json');
  const { classifyToJsonl } = await import('./classify-stream.js');
  const s = await classifyToJsonl(
    model,
    images,
    { ...options, ...(opts.output ? { output: opts.output } : {}), ...(opts.workers ? { workers: opts.workers } : {}), progress: opts.progress ? (process.stderr.isTTY ? 'bar' : 'lines') : 'none' },
    ctx.stdout,
    ctx.stderr,
  );
  const skipped = s.skipped ? `, ${s.skipped} already in ${opts.output}` : '';
  ctx.stderr(`${s.classified} classified, ${s.failed} failed${skipped}; ${s.imagesPerSecond.toFixed(1)} images/s on ${s.workers} decoding threads (${s.cpuMsPerImage.toFixed(2)} ms CPU per image; model and threads ready in ${s.setupSeconds.toFixed(2)} s)\n`);
  if (s.failed > 0) throw new Error(`${s.failed} of ${s.classified + s.failed} images could not be classified (see their lines)`);
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
      .option('--jsonl', 'stream one JSON line per image to stdout as batches finish (decoding on --workers threads)')
      .option('-o, --output <file.jsonl>', 'stream JSON lines into this file; a rerun skips the files already in it')
      .option('--workers <n>', 'decoding threads for --jsonl/--output (default: one per core)', positive('--workers'))
      .option('-q, --queue <url>', 'classify through a BullMQ queue on this Redis (redis://host:port) with onnxkit worker processes; give one folder or list file')
      .option('--queue-name <name>', 'BullMQ queue name for --queue (default onnxkit-classify)')
      .option('--job-size <n>', 'files per queued job (one unit of retry)', positive('--job-size'), 64)
      .option('--no-progress', 'no progress bar (rate, ETA) on stderr for --jsonl/--output')
      .action(
        async (
          model: string,
          images: string[],
          opts: ClassifyFlags,
        ) => {
          const options: ClassifyCommandOptions = {
            top: opts.top,
            device: parseDevice(opts.device),
            ...(opts.preprocess !== undefined ? { preprocess: parsePreprocess(opts.preprocess) } : {}),
            ...(opts.labels ? { labels: opts.labels } : {}),
            batchSize: opts.batch,
            ...(opts.maxPixels ? { maxPixels: opts.maxPixels } : {}),
          };
          if (opts.queue) {
            await queueCommand(model, images, options, opts, ctx);
            return;
          }
          if (opts.jsonl || opts.output) {
            await streamCommand(model, images, options, opts, ctx);
            return;
          }
          const report = await classifyFiles(model, images, options);
          if (opts.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
          else printText(report, ctx);
          if (report.failed > 0) {
            throw new Error(`${report.failed} of ${report.results.length} images could not be classified (see above)`);
          }
        },
      );
  },
};

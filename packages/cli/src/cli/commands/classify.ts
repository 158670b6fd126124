import type { AdapterInfo, Classifier, DeviceFailure, PreprocessingOption, PreprocessingSpec } from '@onnxkit/core';
import type { Command } from 'commander';
import type { ClassifyFileResult } from '@onnxkit/node';
import { classifyProgress } from '../classify-progress.js';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { CliUsageError, oneLine } from '../errors.js';
import { DEVICE_HELP, deviceLines } from '../device-lines.js';
import { parseDevice } from '../parse-device.js';
import { classifyStream, classifyToJsonl, listInputs, type ClassifySink, type ClassifyStreamOptions } from './classify-stream.js';
import type { ClassifyCommandOptions } from './load-classifier.js';

export type { ClassifyFileResult };
export { loadClassifier, type ClassifyCommandOptions } from './load-classifier.js';

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

/** Options of {@link classifyFiles}. */
export type ClassifyFilesOptions = Omit<ClassifyStreamOptions, 'skip' | 'progress'>;

/**
 * Classifies image files (folders give their images, sorted by name) with `model`, through the same
 * pool and stream as every mode ({@link classifyStream}), into one report: every image gets a result, a
 * bad one its own error. Throws when the model has no preprocessing spec and none is given.
 */
export async function classifyFiles(model: string, inputs: readonly string[], options: ClassifyFilesOptions = {}): Promise<ClassifyReport> {
  const files = await listInputs(inputs);
  const results: ClassifyFileResult[] = [];
  let head: Omit<ClassifyReport, 'results' | 'classified' | 'failed'> | undefined;
  const sink: ClassifySink = {
    start: (clf) => (head = { model, ...deviceOf(clf), preprocessing: clf.preprocessing!, labels: [...clf.labels] }),
    write: (rows) => void results.push(...rows),
  };
  const s = await classifyStream(model, files, options, sink, () => {});
  return { ...head!, results, classified: s.classified, failed: s.failed };
}

/** The device fields of a report (and of the text head). */
function deviceOf(clf: Classifier): Pick<ClassifyReport, 'device' | 'adapter' | 'fallbacks'> {
  return { device: clf.device, ...(clf.session.adapter ? { adapter: clf.session.adapter } : {}), fallbacks: [...clf.session.fallbacks] };
}

/**
 * The text mode: the device head, then `file  label probability` (or `file  error: …`) per image,
 * printed as batches finish, names padded to the longest.
 */
function textSink(ctx: CliContext): ClassifySink {
  let width = 0;
  return {
    start(clf, files) {
      // A loop, not Math.max(...files): a spread of 100k names would overflow the call stack.
      for (const f of files) width = Math.max(width, f.length);
      ctx.stdout(`${deviceLines(deviceOf(clf)).join('\n')}\n`);
    },
    write(rows) {
      ctx.stdout(rows.map((r) => `${r.file.padEnd(width)}  ${r.ok ? r.top.map((p) => `${p.label} ${percent(p.probability)}`).join('  ') : `error: ${oneLine(r.error)}`}\n`).join(''));
    },
  };
}

const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

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
      .option('--jsonl', 'stream one JSON line per image to stdout as batches finish')
      .option('-o, --output <file.jsonl>', 'stream JSON lines into this file; a rerun skips the files already in it')
      .option('--workers <n>', 'decoding threads, in every mode but --queue (default: one per core)', positive('--workers'))
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
          const pooled = { ...options, ...(opts.workers ? { workers: opts.workers } : {}) };
          let counts: { classified: number; failed: number };
          if (opts.json) {
            counts = await classifyFiles(model, images, pooled);
            ctx.stdout(`${JSON.stringify(counts, null, 2)}\n`);
          } else {
            counts = await classifyStream(model, await listInputs(images), pooled, textSink(ctx), ctx.stderr);
          }
          if (counts.failed > 0) throw new Error(`${counts.failed} of ${counts.classified + counts.failed} images could not be classified (see above)`);
        },
      );
  },
};

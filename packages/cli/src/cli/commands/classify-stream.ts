import { availableParallelism } from 'node:os';
import type { Classifier, ClassifyResult } from '@onnxkit/core';
import { createImagePool, listImageFiles, openJsonlOutput, toFileResult, type ClassifyFileResult, type JsonlOutput } from '@onnxkit/node';
import { classifyProgress, type ClassifyProgressMode } from '../classify-progress.js';
import { CliUsageError } from '../errors.js';
import { loadClassifier, type ClassifyCommandOptions } from './load-classifier.js';

/** Images per decoding worker from which a run warms the workers up first (see `NodeImagePool.warmUp`). */
const WARM_UP_MIN_PER_WORKER = 50;

/** Options of {@link classifyStream}. */
export interface ClassifyStreamOptions extends ClassifyCommandOptions {
  /** Decoding worker threads. @defaultValue `os.availableParallelism()` */
  workers?: number;
  /** Progress on stderr. @defaultValue 'none' */
  progress?: ClassifyProgressMode;
  /** Files that already have a result (a resumed output file): not classified again. @defaultValue none */
  skip?: ReadonlySet<string>;
}

/** Where the results of {@link classifyStream} go: in input order, one batch at a time. */
export interface ClassifySink {
  /** Called once the model is loaded, before the first batch, with the files to classify. @defaultValue nothing */
  start?(clf: Classifier, files: readonly string[]): void;
  /** One batch of results; the next batch waits for the promise. */
  write(rows: ClassifyFileResult[]): void | Promise<void>;
}

/** What a streamed run did. */
export interface ClassifyStreamSummary {
  /** Images named by the inputs. */
  total: number;
  /** Images skipped because the output file already had their result. */
  skipped: number;
  classified: number;
  failed: number;
  seconds: number;
  /**
   * Images (classified + failed) per second, from the first image sent to the last result written: the
   * set-up before it (the model loaded, the workers started and warmed up) is `setupSeconds`.
   */
  imagesPerSecond: number;
  /** Seconds to load the model and start the decoding workers (overlapped) and warm them up, before the first image. */
  setupSeconds: number;
  /** CPU time of the whole process (every thread) per image over the run, in ms: what the rate costs. */
  cpuMsPerImage: number;
  workers: number;
}

/**
 * Classifies image files (from {@link listInputs}) as a stream, the one path of every output mode of `onnxkit classify`: decoding
 * and preprocessing in a pool of worker threads, inference in batches, results handed to `sink` as each
 * batch finishes, in input order. Memory holds two batches of model-sized rows and the list of names,
 * never the images of the whole folder (what the sink keeps is its own).
 */
export async function classifyStream(
  model: string,
  files: readonly string[],
  options: ClassifyStreamOptions,
  sink: ClassifySink,
  stderr: (text: string) => void,
): Promise<ClassifyStreamSummary> {
  const skip = options.skip;
  const todo = skip ? files.filter((f) => !skip.has(f)) : files;
  const setup = performance.now();
  // No more threads than images: a single photo should not start a thread per core.
  const pool = createImagePool({ workers: Math.max(1, Math.min(options.workers ?? availableParallelism(), todo.length)) });
  // The workers start (each loads sharp and the preprocessing code) while the model loads; awaited
  // below, so that what the rate measures is the images, as it would be over a folder of 100k.
  const workersUp = pool.ready();
  workersUp.catch(() => {}); // awaited below; a failure must not go unhandled if loading fails first
  try {
    const clf = await loadClassifier(model, options, pool);
    let started = 0;
    let cpu0 = process.cpuUsage();
    let classified = 0;
    let failed = 0;
    try {
      await workersUp;
      // Each worker optimises the decode and preprocessing code on sample photos first; below ~50
      // images per worker the samples would cost more than the cold start they spare.
      if (todo.length >= WARM_UP_MIN_PER_WORKER * pool.workers) await pool.warmUp(clf.preprocessing!);
      sink.start?.(clf, todo);
      started = performance.now();
      cpu0 = process.cpuUsage();
      const progress = classifyProgress(options.progress ?? 'none', todo.length, stderr);
      let batch: ClassifyFileResult[] = [];
      const flush = async () => {
        if (batch.length > 0) await sink.write(batch);
        batch = [];
        progress.update(classified + failed);
      };
      let i = 0;
      for await (const r of clf.classify(names(todo), { topK: options.top ?? 1 }) as AsyncGenerator<ClassifyResult>) {
        const row = toFileResult(r, todo[i++]);
        if (row.ok) classified++;
        else failed++;
        batch.push(row);
        if (batch.length >= clf.batchSize) await flush();
      }
      await flush();
      progress.stop();
    } finally {
      await clf.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const images = classified + failed;
    return {
      total: files.length,
      skipped: files.length - todo.length,
      classified,
      failed,
      seconds,
      imagesPerSecond: seconds > 0 ? images / seconds : 0,
      setupSeconds: (started - setup) / 1000,
      cpuMsPerImage: images > 0 ? (cpu.user + cpu.system) / 1000 / images : 0,
      workers: pool.workers,
    };
  } finally {
    await pool.close();
  }
}

/** The image files that `inputs` (files and folders) name; none is a usage error. */
export async function listInputs(inputs: readonly string[]): Promise<string[]> {
  const files = await listImageFiles(inputs);
  if (files.length === 0) throw new CliUsageError(`no images found in ${inputs.join(', ')}`);
  return files;
}

/** Options of {@link classifyToJsonl}. */
export interface ClassifyJsonlOptions extends Omit<ClassifyStreamOptions, 'skip'> {
  /** Results file (JSON lines); files already in it are skipped. @defaultValue lines go to `write` */
  output?: string;
}

/**
 * {@link classifyStream} into JSON lines (`{"file", "ok", "label", …}`): appended to `options.output`,
 * whose files a rerun skips, or given to `write`.
 */
export async function classifyToJsonl(
  model: string,
  inputs: readonly string[],
  options: ClassifyJsonlOptions,
  write: (text: string) => void,
  stderr: (text: string) => void,
): Promise<ClassifyStreamSummary> {
  const files = await listInputs(inputs);
  const out: JsonlOutput | undefined = options.output ? await openJsonlOutput(options.output) : undefined;
  try {
    const sink: ClassifySink = {
      write: (rows) => (out ? out.append(rows) : write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''))),
    };
    return await classifyStream(model, files, { ...options, ...(out ? { skip: out.done } : {}) }, sink, stderr);
  } finally {
    await out?.close();
  }
}

async function* names(files: readonly string[]): AsyncGenerator<string> {
  yield* files;
}

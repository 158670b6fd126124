import type { ClassifyResult } from '@onnxkit/core';
import { createImagePool, listImageFiles, openJsonlOutput, toFileResult, type JsonlOutput } from '@onnxkit/node';
import { classifyProgress, type ClassifyProgressMode } from '../classify-progress.js';
import { CliUsageError } from '../errors.js';
import { loadClassifier, type ClassifyCommandOptions, type ClassifyFileResult } from './classify.js';

/** Options of {@link classifyToJsonl}. */
export interface ClassifyStreamOptions extends ClassifyCommandOptions {
  /** Results file (JSON lines); files already in it are skipped. @defaultValue lines go to `write` */
  output?: string;
  /** Decoding worker threads. @defaultValue `os.availableParallelism()` */
  workers?: number;
  /** Progress on stderr. @defaultValue 'none' */
  progress?: ClassifyProgressMode;
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
   * Images (classified + failed) per second, from the first image sent to the last line written: the
   * set-up before it (the model loaded and the workers started, at once) is `setupSeconds`.
   */
  imagesPerSecond: number;
  /** Seconds to load the model and start the decoding workers (overlapped), before the first image. */
  setupSeconds: number;
  /** CPU time of the whole process (every thread) per image over the run, in ms: what the rate costs. */
  cpuMsPerImage: number;
  workers: number;
}

/**
 * Classifies image files as a stream: decoding and preprocessing in a pool of worker threads, inference
 * in batches, one JSON line per image (`{"file", "ok", "label", …}`) written as each batch finishes, in
 * input order, to `options.output` (appended; a rerun skips files already there) or to `write`. Memory
 * holds two batches of model-sized rows and the list of names, never the images of the whole folder.
 */
export async function classifyToJsonl(
  model: string,
  inputs: readonly string[],
  options: ClassifyStreamOptions,
  write: (text: string) => void,
  stderr: (text: string) => void,
): Promise<ClassifyStreamSummary> {
  const files = await listImageFiles(inputs);
  if (files.length === 0) throw new CliUsageError(`no images found in ${inputs.join(', ')}`);
  const out: JsonlOutput | undefined = options.output ? await openJsonlOutput(options.output) : undefined;
  try {
    const todo = out ? files.filter((f) => !out.done.has(f)) : files;
    const setup = performance.now();
    const pool = createImagePool(options.workers ? { workers: options.workers } : {});
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
        started = performance.now();
        cpu0 = process.cpuUsage();
        const progress = classifyProgress(options.progress ?? 'none', todo.length, stderr);
        let batch: ClassifyFileResult[] = [];
        const flush = async () => {
          if (out) await out.append(batch);
          else write(batch.map((r) => `${JSON.stringify(r)}\n`).join(''));
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
  } finally {
    await out?.close();
  }
}

async function* names(files: readonly string[]): AsyncGenerator<string> {
  yield* files;
}

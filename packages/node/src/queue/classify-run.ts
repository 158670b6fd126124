import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PreprocessingOption } from '@onnxkit/core';
import { Queue } from 'bullmq';
import { classifyProgress, type ClassifyProgressMode } from '../classify/classify-progress.js';
import { openJsonlOutput, type JsonlOutput } from '../classify/jsonl-output.js';
import { listImageFiles } from '../image/image-files.js';
import { openModelFile } from '../io/model-file.js';
import { CLASSIFY_QUEUE, MAX_JOB_FILES, modelKey, resultsKey, type ClassifyJobData } from './classify-job.js';
import { connectRedis } from './redis-connection.js';

/** Options of {@link classifyViaQueue}. */
export interface QueueRunOptions {
  /** `redis://host:port` of the queue. */
  url: string;
  /** BullMQ queue name. @defaultValue 'onnxkit-classify' */
  queue?: string;
  /** Results file (JSON lines); names already in it are not enqueued. @defaultValue lines go to `write` */
  output?: string;
  /** Files per job (one job is one unit of retry). @defaultValue 64 */
  jobSize?: number;
  /** Tries of a job that fails (not one whose worker died: that one is redone anyway). @defaultValue 3 */
  attempts?: number;
  top?: number;
  preprocess?: PreprocessingOption;
  labels?: string[];
  maxPixels?: number;
  /** Progress on stderr. @defaultValue 'none' */
  progress?: ClassifyProgressMode;
  /** How often the results are counted. @defaultValue 250 ms */
  pollMs?: number;
}

/** What a queued run did. */
export interface QueueRunSummary {
  run: string;
  total: number;
  skipped: number;
  classified: number;
  failed: number;
  seconds: number;
  imagesPerSecond: number;
}

/**
 * Classifies through the queue: `input` is a folder (its images, named relative to it: workers must
 * see the same folder as their `--root`) or a list file (one name per line, relative to the workers'
 * root). The model's bytes go to Redis once (by sha256); files are enqueued in jobs of `jobSize` with
 * ids derived from the run, so enqueuing the same run twice adds nothing. Waits until every name has
 * exactly one result in the run's hash, then writes them in input order as JSON lines and deletes them.
 */
export async function classifyViaQueue(
  model: string,
  input: string,
  options: QueueRunOptions,
  write: (text: string) => void,
  stderr: (text: string) => void,
): Promise<QueueRunSummary> {
  const names = await inputNames(input);
  if (names.length === 0) throw new RangeError(`no images found in ${input}`);
  const jobSize = options.jobSize ?? 64;
  if (!Number.isInteger(jobSize) || jobSize < 1 || jobSize > MAX_JOB_FILES) throw new RangeError(`--job-size ${jobSize}: expected 1 to ${MAX_JOB_FILES}`);
  const out: JsonlOutput | undefined = options.output ? await openJsonlOutput(options.output) : undefined;
  const redis = connectRedis(options.url);
  const queueConnection = connectRedis(options.url);
  const queue = new Queue<ClassifyJobData>(options.queue ?? CLASSIFY_QUEUE, { connection: queueConnection });
  // Connection errors while Redis restarts are retried by the connection; unheard, BullMQ would print each.
  queue.on('error', () => {});
  try {
    const todo = out ? names.filter((n) => !out.done.has(n)) : names;
    const bytes = (await openModelFile(model)).bytes;
    const sha = createHash('sha256').update(bytes).digest('hex');
    await redis.set(modelKey(sha), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'NX');
    const common = {
      model: sha,
      top: options.top ?? 1,
      ...(options.preprocess !== undefined ? { preprocess: options.preprocess } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.maxPixels ? { maxPixels: options.maxPixels } : {}),
    };
    const run = createHash('sha256').update(JSON.stringify([common, jobSize, todo])).digest('hex').slice(0, 24);
    const started = performance.now();
    for (let s = 0; s < todo.length; s += 500 * jobSize) {
      const jobs = [];
      for (let j = s; j < Math.min(todo.length, s + 500 * jobSize); j += jobSize) {
        jobs.push({
          name: 'classify',
          data: { run, ...common, files: todo.slice(j, j + jobSize) },
          opts: { jobId: `${run}-${j / jobSize}`, attempts: options.attempts ?? 3, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: true, removeOnFail: false },
        });
      }
      await queue.addBulk(jobs);
    }
    const progress = classifyProgress(options.progress ?? 'none', todo.length, stderr);
    for (;;) {
      const done = await redis.hlen(resultsKey(run));
      progress.update(Math.min(done, todo.length));
      if (done >= todo.length) break;
      const failed = (await queue.getFailed()).filter((j) => j.id?.startsWith(`${run}-`));
      if (failed.length > 0) {
        throw new Error(`${failed.length} jobs of run ${run} failed for good: ${failed[0].failedReason} (see onnxkit worker's log)`);
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
    }
    progress.stop();
    const seconds = (performance.now() - started) / 1000;
    let classified = 0;
    for (let s = 0; s < todo.length; s += 500) {
      const lines = (await redis.hmget(resultsKey(run), ...todo.slice(s, s + 500))) as string[];
      const rows = lines.map((l) => JSON.parse(l) as { ok: boolean });
      classified += rows.filter((r) => r.ok).length;
      if (out) await out.append(rows);
      else write(lines.map((l) => `${l}\n`).join(''));
    }
    await redis.del(resultsKey(run));
    return {
      run,
      total: names.length,
      skipped: names.length - todo.length,
      classified,
      failed: todo.length - classified,
      seconds,
      imagesPerSecond: seconds > 0 ? todo.length / seconds : 0,
    };
  } finally {
    await queue.close();
    queueConnection.disconnect();
    redis.disconnect();
    await out?.close();
  }
}

/** A folder's image names (relative to it, sorted), or a list file's names (one per line, duplicates once). */
async function inputNames(input: string): Promise<string[]> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw new RangeError(`${input}: no such folder or list file`);
  if (info.isDirectory()) return (await listImageFiles([input])).map((f) => path.relative(input, f));
  if (!info.isFile()) throw new RangeError(`${input}: not a folder or a list file`);
  const lines = (await readFile(input, 'utf8')).split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  return [...new Set(lines)];
}

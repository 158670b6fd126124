import { createHash } from 'node:crypto';
import { Classifier, DEFAULT_MAX_PIXELS, ImageError, type ClassifyResult } from '@onnxkit/core';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { toFileResult } from '../classify/file-result.js';
import { imageByteLimit } from '../image/read-input.js';
import { nodeImageDecoder } from '../image/sharp-decoder.js';
import { FileAccessError } from '../io/file-access-error.js';
import { resolveInside } from '../io/inside-folder.js';
import { readUntrustedFile } from '../io/read-untrusted.js';
import { createImagePool, type NodeImagePool } from '../pool/image-pool.js';
import { CLASSIFY_QUEUE, checkJobData, modelKey, resultsKey, type ClassifyJobData } from './classify-job.js';
import { connectRedis } from './redis-connection.js';

/** Options of {@link startClassifyWorker}. */
export interface ClassifyWorkerOptions {
  /** `redis://host:port` of the queue. */
  url: string;
  /** The folder job file names are relative to (names leading outside it are refused). */
  root: string;
  /** BullMQ queue name. @defaultValue 'onnxkit-classify' */
  queue?: string;
  /** Decoding worker threads. @defaultValue one per core */
  workers?: number;
  /** Jobs run at once. @defaultValue 1 */
  concurrency?: number;
  /**
   * How long a job stays locked without a heartbeat before another worker takes it (a worker killed
   * mid-job is noticed after this long). @defaultValue 30,000 ms
   */
  lockMs?: number;
  /** Log lines (job started / done), e.g. to stderr. @defaultValue none */
  log?: (line: string) => void;
}

/** A running worker: `close()` finishes the jobs in hand and disconnects. */
export interface ClassifyWorker {
  close(): Promise<void>;
}

/**
 * Takes classification jobs from the queue until closed: loads each job's model (by sha256, from Redis,
 * cached), reads the job's files from inside `root`, classifies them with a pool of decoding threads,
 * and writes one result per file into the run's Redis hash before the job completes. A job that a killed
 * worker held comes back after `lockMs` and is redone; its results overwrite the same fields.
 */
export async function startClassifyWorker(options: ClassifyWorkerOptions): Promise<ClassifyWorker> {
  const log = options.log ?? (() => {});
  const redis = connectRedis(options.url);
  const pool = createImagePool(options.workers ? { workers: options.workers } : {});
  try {
    // Every decoding thread up (sharp and the preprocessing code loaded) before the first job is taken,
    // so that a job's time is its images', and a worker that cannot start its threads takes no job.
    await pool.ready();
  } catch (e) {
    await pool.close();
    redis.disconnect();
    throw e;
  }
  const models = new ModelCache(redis, pool);
  const lockMs = options.lockMs ?? 30_000;
  // BullMQ leaves a connection it was given open on close: this one is ours to end.
  const blocking = connectRedis(options.url);
  const worker = new Worker<ClassifyJobData>(options.queue ?? CLASSIFY_QUEUE, (job) => runJob(job, options.root, redis, models, log), {
    connection: blocking,
    concurrency: options.concurrency ?? 1,
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
    // A job held by workers that kept dying is given up after this many tries (it is then failed, not lost).
    maxStalledCount: 5,
  });
  worker.on('error', (e) => log(`worker error: ${e.message}`));
  await worker.waitUntilReady();
  log(`worker ready: queue ${options.queue ?? CLASSIFY_QUEUE} at ${redactUrl(options.url)}, root ${options.root}, ${pool.workers} decoding threads`);
  return {
    async close() {
      await worker.close();
      await models.dispose();
      await pool.close();
      blocking.disconnect();
      redis.disconnect();
    },
  };
}

async function runJob(job: Job<ClassifyJobData>, root: string, redis: Redis, models: ModelCache, log: (line: string) => void): Promise<number> {
  const data = checkJobData(job.data);
  const started = performance.now();
  log(`job ${job.id} started: ${data.files.length} files`);
  const clf = await models.get(data);
  // Read every file here, confined to root, so that a job cannot name /etc/passwd or a link out of the folder.
  const inputs = await Promise.all(data.files.map((name) => readConfined(root, name, data.maxPixels)));
  const readable = inputs.filter((x): x is Uint8Array => x instanceof Uint8Array);
  const classified = readable.length ? await clf.classify(readable, { topK: data.top }) : [];
  let next = 0;
  const fields: string[] = [];
  data.files.forEach((name, i) => {
    const input = inputs[i];
    const r: ClassifyResult = input instanceof ImageError ? { ok: false, source: name, error: input } : classified[next++];
    fields.push(name, JSON.stringify(toFileResult(r, name)));
  });
  await redis.hset(resultsKey(data.run), ...fields);
  log(`job ${job.id} done: ${data.files.length} results in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return data.files.length;
}

async function readConfined(root: string, name: string, maxPixels: number | undefined): Promise<Uint8Array | ImageError> {
  try {
    const file = resolveInside(root, name, 'job file');
    return await readUntrustedFile(file, { kind: 'image', what: 'image', within: root, maxBytes: imageByteLimit(maxPixels ?? DEFAULT_MAX_PIXELS) });
  } catch (e) {
    if (e instanceof FileAccessError) return new ImageError(e.code === 'too-large' ? 'too-large' : 'unreadable', name, e.reason);
    if (e instanceof RangeError || e instanceof TypeError) return new ImageError('unreadable', name, e.message);
    throw e;
  }
}

/** The last two models used, loaded once each (jobs of one run share a model). */
class ModelCache {
  readonly #loaded = new Map<string, Promise<Classifier>>();
  constructor(
    private readonly redis: Redis,
    private readonly pool: NodeImagePool,
  ) {}

  get(job: ClassifyJobData): Promise<Classifier> {
    const key = JSON.stringify([job.model, job.preprocess ?? null, job.labels ?? null, job.maxPixels ?? null]);
    let clf = this.#loaded.get(key);
    if (!clf) {
      clf = this.#load(job);
      clf.catch(() => this.#loaded.delete(key));
      this.#loaded.set(key, clf);
      if (this.#loaded.size > 2) {
        const [oldest, old] = this.#loaded.entries().next().value as [string, Promise<Classifier>];
        this.#loaded.delete(oldest);
        void old.then((c) => c.dispose()).catch(() => {});
      }
    }
    return clf;
  }

  async #load(job: ClassifyJobData): Promise<Classifier> {
    const bytes = await this.redis.getBuffer(modelKey(job.model));
    if (!bytes) throw new Error(`model ${job.model} is not in Redis (key ${modelKey(job.model)}); enqueue with onnxkit classify --queue`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== job.model) throw new Error(`model ${job.model}: the stored bytes hash to ${sha}`);
    const clf = await Classifier.load(new Uint8Array(bytes), {
      device: 'cpu',
      decoder: nodeImageDecoder,
      pool: this.pool,
      ...(job.preprocess !== undefined ? { preprocessing: job.preprocess } : {}),
      ...(job.labels ? { labels: job.labels } : {}),
      ...(job.maxPixels ? { maxPixels: job.maxPixels } : {}),
    });
    // Once per model and worker process (its jobs share the classifier): the decoding threads optimise
    // their code on sample photos before the run's images come, instead of on the first job's.
    if (clf.preprocessing) await this.pool.warmUp(clf.preprocessing).catch(async (e: unknown) => {
      await clf.dispose();
      throw e;
    });
    return clf;
  }

  async dispose(): Promise<void> {
    const all = [...this.#loaded.values()];
    this.#loaded.clear();
    await Promise.allSettled(all.map(async (c) => (await c).dispose()));
  }
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

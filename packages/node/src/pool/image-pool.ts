import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  checkPreprocessingSpec,
  describeImage,
  ImageError,
  isRawImage,
  preprocessInto,
  stringifyPreprocessingSpec,
  valuesPerImage,
  type ImageDecodeOptions,
  type ImageInput,
  type ImagePool,
  type PreprocessingSpec,
} from '@onnxkit/core';
import { Piscina } from 'piscina';
import { decodeWithSharp } from '../image/sharp-decoder.js';
import type { ImagePoolReply, ImagePoolTask, WarmUpReply, WarmUpTask } from './image-pool-worker.js';

/** Rounds of the 9 sample photos per worker in `warmUp()`: ~45 images, what a fresh worker's JIT needs (measured). */
const WARM_UP_ROUNDS = 5;

/** Options of {@link createImagePool}. */
export interface ImagePoolOptions {
  /** Worker threads. @defaultValue `os.availableParallelism()` */
  workers?: number;
  /** Images kept in flight per worker, so that none waits while the main thread batches. @defaultValue 4 */
  queuePerWorker?: number;
}

/** An {@link ImagePool} of worker threads; `close()` ends them (a pool left open keeps the process alive). */
export interface NodeImagePool extends ImagePool {
  /** Worker threads. */
  readonly workers: number;
  /**
   * Resolves once every worker thread has started (loaded sharp and the preprocessing code), so that
   * starting them can overlap other set-up, such as loading the model, and be timed apart from the images.
   * Optional: images sent earlier simply wait for their worker. Rejects if a worker cannot start.
   */
  ready(): Promise<void>;
  /**
   * Starts the workers (as {@link NodeImagePool.ready}) and has each decode and preprocess built-in
   * sample photos (gray and RGB PNG, JPEG; 120–320 px) with `spec`, a few dozen each, so that the first
   * real images do not pay for V8 optimising that code: a fresh worker's first ~50 photos cost about
   * twice the later ones, once per worker, which would make 2 workers cost more CPU per image than 1.
   * Worth it ahead of hundreds of images per worker; the same promise for the same spec.
   */
  warmUp(spec: PreprocessingSpec): Promise<void>;
  /** Ends the worker threads once their running tasks finish. */
  close(): Promise<void>;
}

/**
 * Decoding and preprocessing on worker threads (piscina): each worker decodes with sharp and preprocesses
 * in JavaScript, and sends back only the model-sized row, so full-size photos never cross threads and the
 * main thread is left to batch rows and run the model. Paths, bytes and raw pixels go to the workers;
 * streams (which cannot cross threads) are decoded on the calling thread.
 *
 * ```ts
 * const pool = createImagePool();
 * const clf = await Classifier.load('models/onnx/mnist-cnn.onnx', { pool });
 * for await (const r of clf.classify(paths())) console.log(r.source, r.ok && r.label);
 * await clf.dispose(); await pool.close();
 * ```
 */
export function createImagePool(options: ImagePoolOptions = {}): NodeImagePool {
  if (options === null || typeof options !== 'object') throw new TypeError('createImagePool: options must be an object');
  const workers = count('workers', options.workers, availableParallelism());
  const perWorker = count('queuePerWorker', options.queuePerWorker, 4);
  const here = import.meta.url;
  // From the sources (tests, tsx) the worker is TypeScript too and needs tsx's loader; built, it is dist/*.js.
  const fromSource = here.endsWith('.ts');
  const piscina = new Piscina<ImagePoolTask | WarmUpTask | 'ping', ImagePoolReply | WarmUpReply | 'ping'>({
    filename: fileURLToPath(new URL(`./image-pool-worker.${fromSource ? 'ts' : 'js'}`, here)),
    minThreads: workers,
    maxThreads: workers,
    // Each worker holds its next images itself: with one task at a time, a worker that finishes waits
    // idle until the main thread is scheduled to hand it another (measured: a quarter of the workers'
    // time on 2 busy cores). Its tasks interleave while sharp decodes on libuv's threads.
    concurrentTasksPerWorker: perWorker,
    idleTimeout: Number.POSITIVE_INFINITY,
    ...(fromSource ? { execArgv: ['--import', 'tsx'] } : {}),
  });
  let closed = false;
  let started: Promise<void> | undefined;
  const warmed = new Map<string, Promise<void>>();
  return {
    workers,
    concurrency: workers * perWorker,
    async preprocess(image: ImageInput, spec: PreprocessingSpec, decode: ImageDecodeOptions): Promise<Float32Array> {
      if (closed) throw new Error('createImagePool: the pool is closed');
      const source = describeImage(image);
      const sendable = toSendable(image);
      if (sendable === undefined) return preprocessHere(image, source, spec, decode.maxPixels);
      const reply = (await piscina.run({ image: sendable, source, spec, maxPixels: decode.maxPixels })) as ImagePoolReply;
      if (reply instanceof Float32Array) return reply;
      throw new ImageError(reply.code, source, reply.message);
    },
    ready(): Promise<void> {
      if (closed) return Promise.reject(new Error('createImagePool: the pool is closed'));
      // Sent at once, the pings go one to each worker (piscina gives a task to an idle worker first); a
      // worker answers only after its module, and so its imports, has loaded.
      started ??= Promise.all(Array.from({ length: workers }, () => piscina.run('ping'))).then(() => undefined);
      return started;
    },
    warmUp(spec: PreprocessingSpec): Promise<void> {
      if (closed) return Promise.reject(new Error('createImagePool: the pool is closed'));
      let checked: PreprocessingSpec;
      try {
        checked = checkPreprocessingSpec(spec, 'createImagePool: warmUp spec');
      } catch (e) {
        return Promise.reject(e as Error);
      }
      const key = stringifyPreprocessingSpec(checked);
      let done = warmed.get(key);
      // Sent at once to workers that are all up, the tasks go one to each (piscina's least-busy balancer).
      done ??= this.ready()
        .then(() => Promise.all(Array.from({ length: workers }, () => piscina.run({ warmUp: checked, rounds: WARM_UP_ROUNDS }))))
        .then(() => undefined);
      warmed.set(key, done);
      return done;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await piscina.close();
    },
  };
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`createImagePool: '${name}' must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`createImagePool: '${name}' must be a positive integer, got ${value}`);
  return value;
}

/** What can cross to a worker: paths (file: URLs as paths), bytes (copied) and raw pixels (copied). */
function toSendable(image: ImageInput): ImagePoolTask['image'] | undefined {
  if (typeof image === 'string') return image;
  if (image instanceof URL) return image.protocol === 'file:' ? fileURLToPath(image) : undefined;
  if (image instanceof Uint8Array) return image;
  if (image instanceof ArrayBuffer) return new Uint8Array(image);
  if (isRawImage(image)) return image;
  return undefined;
}

async function preprocessHere(image: ImageInput, source: string, spec: PreprocessingSpec, maxPixels: number): Promise<Float32Array> {
  const raw = await decodeWithSharp(image, { maxPixels });
  const row = new Float32Array(valuesPerImage(spec));
  preprocessInto(raw, spec, row, 0, source, maxPixels);
  return row;
}

import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  describeImage,
  ImageError,
  isRawImage,
  preprocessInto,
  valuesPerImage,
  type ImageDecodeOptions,
  type ImageInput,
  type ImagePool,
  type PreprocessingSpec,
} from '@onnxkit/core';
import { Piscina } from 'piscina';
import { decodeWithSharp } from '../image/sharp-decoder.js';
import type { ImagePoolReply, ImagePoolTask } from './image-pool-worker.js';

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
  const piscina = new Piscina<ImagePoolTask | 'ping', ImagePoolReply | 'ping'>({
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

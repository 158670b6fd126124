import type { Model } from '../../onnx/ir.js';
import { elementCount } from '../../onnx/tensor.js';
import type { OrtTensorLike, Runtime, WorkerOrtSession } from '../../runtime/runtime.js';
import { Session } from '../../runtime/session.js';
import { toOrtOptions, type SessionOptions } from '../../runtime/session-options.js';
import { ARTIFACT_METADATA } from '../artifacts/artifact-metadata.js';
import { LABELS, LOSS } from '../artifacts/generate.js';
import { ReplicaGradients } from './replica-gradients.js';
import { FLAT_GRADIENT, flatGradientModel } from './replica-model.js';

/** Fewest samples a replica gets: below this a slice costs more in messages than it saves. */
export const MIN_SAMPLES_PER_REPLICA = 8;

/** How the Trainer's training graph is replicated (decided once, at start-up). */
export interface ReplicaPlan {
  /** Replicas that run at once; 1 means every batch runs in the Trainer's own training session. */
  count: number;
  /** Intra-op threads of each replica. */
  threadsEach: number;
  /** Why there is only one, when `'auto'` or a number asked for more. */
  reason?: string;
}

/**
 * Decides the replicas for `option` (`TrainerOptions.dataParallel`). Replicas need a runtime that runs
 * sessions on threads of their own, the CPU device (tensors stay in host memory), and a training model
 * whose samples are independent (`ARTIFACT_METADATA.samples`) with a free batch axis on every data input.
 */
export function planReplicas(
  option: 'auto' | number,
  runtime: Runtime,
  device: string,
  trainingMetadata: Readonly<Record<string, string>>,
  batchAxisFree: boolean,
  intraOpNumThreads: number | undefined,
): ReplicaPlan {
  const threads = intraOpNumThreads ?? runtime.hardwareConcurrency ?? 1;
  const wanted = option === 'auto' ? threads : option;
  const unavailable =
    !runtime.createWorkerSession
      ? `${runtime.name} cannot run sessions on threads of their own`
      : device !== 'cpu'
        ? `replicas run on the cpu device, not ${device}`
        : trainingMetadata[ARTIFACT_METADATA.samples] !== 'independent'
          ? `the training model does not keep the samples of a batch apart (or was made before onnxkit recorded it): see docs/ARTIFACTS.md, "Data-parallel replicas"`
          : !batchAxisFree
            ? 'a data input has a fixed batch size'
            : undefined;
  if (wanted <= 1 || unavailable) return { count: 1, threadsEach: threads, ...(wanted > 1 ? { reason: unavailable } : {}) };
  return { count: wanted, threadsEach: Math.max(1, Math.floor(threads / wanted)) };
}

/**
 * Replicas of the training graph, each on a thread of its own (the last on the calling thread), that run slices of one batch at the
 * same time. The training loss is a mean over samples and the samples are independent, so the
 * size-weighted means of the slices' losses and gradients are the whole batch's (up to float rounding).
 */
export class TrainingReplicas {
  readonly #runtime: Runtime;
  readonly #parameters: readonly { name: string; dims: readonly number[] }[];
  readonly #bytes: Uint8Array;
  readonly #options: SessionOptions;
  readonly #plan: ReplicaPlan;
  #sessions: Promise<{ workers: WorkerOrtSession[]; own: Session }> | undefined;
  /** Per worker: the buffer its copy of the parameters travels in, back after each run. */
  readonly #parameterMail: (Float32Array | undefined)[] = [];

  constructor(runtime: Runtime, training: Model, options: SessionOptions, plan: ReplicaPlan, parameters: readonly { name: string; dims: readonly number[] }[]) {
    this.#runtime = runtime;
    this.#options = options;
    this.#plan = plan;
    this.#parameters = parameters;
    this.#bytes = flatGradientModel(training, parameters);
  }

  /** How many replicas run at once. */
  get count(): number {
    return this.#plan.count;
  }

  /** Replicas a batch of `samples` is split across (1: not worth splitting). */
  slicesFor(samples: number): number {
    return Math.min(this.#plan.count, Math.floor(samples / MIN_SAMPLES_PER_REPLICA));
  }

  /**
   * Runs `slices` replicas over consecutive slices of `batch` (data inputs and labels, already checked
   * tensors with the batch on axis 0) with the same `parameters`: the last slice on the calling thread,
   * the others on workers. Returns the batch's loss and the slices' gradients with their weights.
   */
  async run(batch: Readonly<Record<string, OrtTensorLike>>, parameters: ReadonlyMap<string, OrtTensorLike>, slices: number): Promise<{ loss: number; gradients: ReplicaGradients }> {
    const { workers, own } = await this.#start();
    const samples = batch[LABELS].dims[0];
    const bounds = sliceBounds(samples, slices);
    const results = await Promise.all(
      bounds.map(([from, to], i) => {
        // The worker's slice is moved to its thread, so it gets a buffer of its own; this thread's is a view.
        const rows = sliceRows(batch, from, to, this.#runtime, i < slices - 1);
        if (i === slices - 1) return own.run({ ...rows, ...Object.fromEntries(parameters) }).then((out) => mapValues(out, (t) => t.tensor));
        return this.#runWorker(workers[i], i, rows, parameters);
      }),
    );
    const weights = bounds.map(([from, to]) => (to - from) / samples);
    let loss = 0;
    results.forEach((r, i) => (loss += weights[i] * Number(r[LOSS].data[0])));
    const parts = results.map((r) => r[FLAT_GRADIENT].data as Float32Array);
    return { loss, gradients: new ReplicaGradients(this.#parameters, parts, weights) };
  }

  /** Stops the replicas' threads. */
  async release(): Promise<void> {
    const sessions = await this.#sessions?.catch(() => undefined);
    this.#sessions = undefined;
    if (sessions) await Promise.all([...sessions.workers, sessions.own].map((s) => s.release()));
  }

  /** One worker's slice: the parameters copied into its mail buffer, which goes there and back without a copy. */
  async #runWorker(worker: WorkerOrtSession, index: number, rows: Record<string, OrtTensorLike>, parameters: ReadonlyMap<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>> {
    const total = this.#parameters.reduce((n, p) => n + elementCount(p.dims), 0);
    let mail = this.#parameterMail[index];
    // A mail buffer that did not come back (a failed run) is detached: length 0.
    if (!mail || mail.length !== total) mail = new Float32Array(total);
    this.#parameterMail[index] = undefined;
    const feeds: Record<string, OrtTensorLike> = { ...rows };
    let offset = 0;
    for (const p of this.#parameters) {
      const data = parameters.get(p.name)!.data as Float32Array;
      const view = mail.subarray(offset, offset + data.length);
      view.set(data);
      feeds[p.name] = this.#runtime.createTensor('float32', view, p.dims);
      offset += data.length;
    }
    const { outputs, feeds: back } = await worker.runMoving(feeds);
    this.#parameterMail[index] = new Float32Array((back[this.#parameters[0].name].data as Float32Array).buffer);
    return outputs;
  }

  #start(): Promise<{ workers: WorkerOrtSession[]; own: Session }> {
    this.#sessions ??= (async () => {
      const create = this.#runtime.createWorkerSession!;
      const options = { ...toOrtOptions(this.#options, 'cpu'), intraOpNumThreads: this.#plan.threadsEach, interOpNumThreads: 1 };
      // The last replica runs on this thread's own session: its run blocks this thread while the others
      // work (onnxruntime-node runs synchronously), and its feeds and gradients cross no thread.
      const workers = await Promise.all(Array.from({ length: this.#plan.count - 1 }, () => create(this.#bytes, options)));
      const own = new Session(await this.#runtime.createSession(this.#bytes, options), this.#runtime, 'cpu');
      return { workers, own };
    })();
    return this.#sessions;
  }
}

/** `[from, to)` of `slices` nearly equal consecutive slices of `samples`. */
function sliceBounds(samples: number, slices: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0, from = 0; i < slices; i++) {
    const to = Math.round(((i + 1) * samples) / slices);
    out.push([from, to]);
    from = to;
  }
  return out;
}

function sliceRows(batch: Readonly<Record<string, OrtTensorLike>>, from: number, to: number, runtime: Runtime, copy: boolean): Record<string, OrtTensorLike> {
  const out: Record<string, OrtTensorLike> = {};
  for (const [name, t] of Object.entries(batch)) {
    const row = t.dims.slice(1).reduce((a, d) => a * d, 1);
    const data = copy ? (t.data as Float32Array).slice(from * row, to * row) : (t.data as Float32Array).subarray(from * row, to * row);
    out[name] = runtime.createTensor(t.type, data, [to - from, ...t.dims.slice(1)]);
  }
  return out;
}

function mapValues<T, U>(record: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

import type { OrtTensorLike, Runtime } from '../../runtime/runtime.js';
import { Session } from '../../runtime/session.js';
import { toOrtOptions, type SessionOptions } from '../../runtime/session-options.js';
import { ARTIFACT_METADATA } from '../artifacts/artifact-metadata.js';
import { LABELS, LOSS } from '../artifacts/generate.js';
import { gradientName } from '../optimizers/names.js';

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
  readonly #bytes: Uint8Array;
  readonly #options: SessionOptions;
  readonly #plan: ReplicaPlan;
  #sessions: Promise<Session[]> | undefined;

  constructor(runtime: Runtime, trainingBytes: Uint8Array, options: SessionOptions, plan: ReplicaPlan) {
    this.#runtime = runtime;
    this.#bytes = trainingBytes;
    this.#options = options;
    this.#plan = plan;
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
   * tensors with the batch on axis 0) with the same `parameters`; returns the batch's loss and gradients.
   */
  async run(
    batch: Readonly<Record<string, OrtTensorLike>>,
    parameters: ReadonlyMap<string, OrtTensorLike>,
    parameterNames: readonly string[],
    slices: number,
  ): Promise<{ loss: number; gradients: Map<string, OrtTensorLike> }> {
    const sessions = await this.#start();
    const samples = batch[LABELS].dims[0];
    const bounds = sliceBounds(samples, slices);
    const params = Object.fromEntries(parameters);
    const results = await Promise.all(
      bounds.map(([from, to], i) => sessions[i].run({ ...sliceRows(batch, from, to, this.#runtime), ...params })),
    );
    const weights = bounds.map(([from, to]) => (to - from) / samples);
    let loss = 0;
    results.forEach((r, i) => (loss += weights[i] * Number(r[LOSS].tensor.data[0])));
    // The sums go end to end into one buffer, in parameter order: the Trainer's flat optimizer update
    // (optimizer-update.ts) then reads it without gathering the gradients first.
    const parts = parameterNames.map((name) => results.map((r) => r[gradientName(name)].tensor));
    const flat = new Float32Array(parts.reduce((n, p) => n + p[0].data.length, 0));
    const gradients = new Map<string, OrtTensorLike>();
    let offset = 0;
    parameterNames.forEach((name, i) => {
      const size = parts[i][0].data.length;
      const sum = flat.subarray(offset, offset + size);
      weightedSum(sum, parts[i].map((t) => t.data as Float32Array), weights);
      gradients.set(name, this.#runtime.createTensor('float32', sum, parts[i][0].dims));
      offset += size;
    });
    return { loss, gradients };
  }

  /** Stops the replicas' threads. */
  async release(): Promise<void> {
    const sessions = await this.#sessions?.catch(() => []);
    this.#sessions = undefined;
    await Promise.all((sessions ?? []).map((s) => s.release()));
  }

  #start(): Promise<Session[]> {
    this.#sessions ??= (async () => {
      const create = this.#runtime.createWorkerSession!;
      const options = { ...toOrtOptions(this.#options, 'cpu'), intraOpNumThreads: this.#plan.threadsEach, interOpNumThreads: 1 };
      // The last replica runs on this thread's own session: its run blocks this thread while the others
      // work (onnxruntime-node runs synchronously), and its feeds and gradients cross no thread.
      const workers = Array.from({ length: this.#plan.count - 1 }, () => create(this.#bytes, options));
      const raw = await Promise.all([...workers, this.#runtime.createSession(this.#bytes, options)]);
      return raw.map((ort) => new Session(ort, this.#runtime, 'cpu'));
    })();
    return this.#sessions;
  }
}

/** `out` = Σ weights[i] × parts[i]. */
function weightedSum(out: Float32Array, parts: Float32Array[], weights: number[]): void {
  const [first, second] = parts;
  const [w0, w1] = weights;
  if (parts.length === 2) {
    for (let k = 0; k < out.length; k++) out[k] = w0 * first[k] + w1 * second[k];
    return;
  }
  for (let k = 0; k < out.length; k++) out[k] = w0 * first[k];
  for (let i = 1; i < parts.length; i++) {
    const g = parts[i];
    const w = weights[i];
    for (let k = 0; k < out.length; k++) out[k] += w * g[k];
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

function sliceRows(batch: Readonly<Record<string, OrtTensorLike>>, from: number, to: number, runtime: Runtime): Record<string, OrtTensorLike> {
  const out: Record<string, OrtTensorLike> = {};
  for (const [name, t] of Object.entries(batch)) {
    const row = t.dims.slice(1).reduce((a, d) => a * d, 1);
    const data = (t.data as Float32Array).slice(from * row, to * row);
    out[name] = runtime.createTensor(t.type, data, [to - from, ...t.dims.slice(1)]);
  }
  return out;
}

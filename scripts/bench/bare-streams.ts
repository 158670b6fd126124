// The machine's ceiling for the Trainer's replicas: the seed CNN's `cpu`-target training graph run bare
// on ORT (no optimizer, no gradient sum, parameters fixed) in t sessions of one thread each, one slice of
// every batch per session, all at once — t − 1 on worker threads (the same worker sessions the Trainer's
// replicas use) and the last on this thread. Its samples/s at t streams over 1 stream is what the cores
// give ORT's kernels; the Trainer's own scaling is read against it (docs/BENCHMARKS.md, "Training").
import * as ort from 'onnxruntime-node';
import { decodeCheckpoint, encodeModel, nodeRuntime, oneHot, type ImageDataset, type TrainingArtifacts } from '@onnxkit/node';
import { timeSteps } from './measure.js';

type Ort = Pick<ort.InferenceSession, 'run' | 'release'>;

/** Bare training-graph sessions, kept per stream count across repeats like the Trainers. */
export class BareStreams {
  readonly #bytes: Uint8Array;
  readonly #params: Record<string, ort.Tensor>;
  readonly #sessions = new Map<number, Ort[]>();

  /** `artifacts` must be the `cpu` target's (what the Trainer runs on the CPU). */
  constructor(
    private readonly data: ImageDataset,
    artifacts: TrainingArtifacts,
  ) {
    this.#bytes = encodeModel(artifacts.trainingModel);
    const { parameters } = decodeCheckpoint(artifacts.checkpoint);
    this.#params = Object.fromEntries(parameters.map((p) => [p.name, new ort.Tensor('float32', p.data as Float32Array, p.dims)]));
  }

  /** Wall and process CPU seconds of `count` batches on `streams` sessions at once, after `warmup` ones (the same batches as the Trainer's). */
  async steps(batch: number, streams: number, warmup: number, count: number, offset: number): Promise<{ seconds: number; cpuSeconds: number }> {
    const sessions = await this.#open(streams);
    const size = 784;
    const n = this.data.count;
    const run = async (i: number) => {
      const start = ((offset + i) * batch) % (n - batch);
      await Promise.all(
        sessions.map((s, k) => {
          const from = start + Math.round((k * batch) / streams);
          const to = start + Math.round(((k + 1) * batch) / streams);
          return s.run({
            ...this.#params,
            input: new ort.Tensor('float32', this.data.images.slice(from * size, to * size), [to - from, 1, 28, 28]),
            labels: new ort.Tensor('float32', oneHot(this.data.labels.subarray(from, to), 10), [to - from, 10]),
          });
        }),
      );
    };
    return timeSteps(run, warmup, count);
  }

  async release(): Promise<void> {
    for (const list of this.#sessions.values()) for (const s of list) await s.release();
    this.#sessions.clear();
  }

  async #open(streams: number): Promise<Ort[]> {
    let list = this.#sessions.get(streams);
    if (!list) {
      // The Trainer's own session defaults (trainer/session-defaults.ts), so that only onnxkit's work differs.
      const options = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, enableMemPattern: false, extra: { session: { intra_op: { allow_spinning: '0' } } } };
      const workers = Array.from({ length: streams - 1 }, () => nodeRuntime.createWorkerSession!(this.#bytes, options));
      list = await Promise.all([...workers, ort.InferenceSession.create(this.#bytes, options)]);
      this.#sessions.set(streams, list);
    }
    return list;
  }
}

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { MovedRun, OrtSessionOptions, OrtSession, WorkerOrtSession } from '@onnxkit/core';
import * as ort from 'onnxruntime-node';

// The worker is plain CommonJS evaluated from this string, so it runs the same from the TypeScript
// sources, the ESM build and the CJS build; it loads the very onnxruntime-node this package resolved.
// It gets no execArgv of the app's: flags such as --input-type=module would make it an ES module.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
ort.env.logLevel = workerData.logLevel;
let session;
const plain = (t) => ({ type: t.type, dims: t.dims, data: t.data });
const addBuffer = (transfer, data) => {
  const b = data.buffer;
  if (b instanceof ArrayBuffer && !transfer.includes(b)) transfer.push(b);
};
parentPort.on('message', async (m) => {
  const transfer = [];
  // Moved feeds go back with the reply, also when the run fails.
  const moved = m.kind === 'run' && m.move ? m.feeds : undefined;
  if (moved) for (const t of Object.values(moved)) addBuffer(transfer, t.data);
  try {
    if (m.kind === 'open') {
      session = await ort.InferenceSession.create(m.model, m.options);
      parentPort.postMessage({ id: m.id, inputNames: session.inputNames, outputNames: session.outputNames,
        inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata });
    } else if (m.kind === 'run') {
      const feeds = {};
      for (const [name, t] of Object.entries(m.feeds)) feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const out = m.fetches ? await session.run(feeds, m.fetches) : await session.run(feeds);
      const outputs = {};
      for (const [name, t] of Object.entries(out)) {
        outputs[name] = plain(t);
        if (t.data.buffer.byteLength === t.data.byteLength) addBuffer(transfer, t.data);
      }
      parentPort.postMessage({ id: m.id, outputs, feeds: moved }, transfer);
    } else if (m.kind === 'release') {
      await session?.release();
      session = undefined;
      parentPort.postMessage({ id: m.id });
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: e && e.message ? e.message : String(e), feeds: moved }, transfer);
  }
});
`;

interface PlainTensor {
  type: ort.Tensor.Type;
  dims: readonly number[];
  data: ort.Tensor.DataType;
}

interface Reply {
  id: number;
  error?: string;
  outputs?: Record<string, PlainTensor>;
  feeds?: Record<string, PlainTensor>;
  inputNames?: string[];
  outputNames?: string[];
  inputMetadata?: OrtSession['inputMetadata'];
  outputMetadata?: OrtSession['outputMetadata'];
}

let ortPath: string | undefined;
// Threads whose session was released, kept (unreferenced: they never hold the process open) so the
// next worker session skips starting a thread and loading ONNX Runtime again.
const idle: WorkerChannel[] = [];
const MAX_IDLE = availableParallelism();

/**
 * Starts a worker thread holding one ONNX Runtime CPU session of `model`. Its runs leave the main
 * thread free, and several such sessions run at the same time on different cores.
 */
export async function createWorkerSession(model: Uint8Array, options: OrtSessionOptions): Promise<WorkerOrtSession> {
  const providers = options.executionProviders ?? ['cpu'];
  if (providers.some((p) => (typeof p === 'string' ? p : p.name) !== 'cpu')) {
    throw new RangeError('createWorkerSession: worker sessions run on the CPU execution provider only');
  }
  const channel = openChannel();
  const { preferredOutputLocation: _cpuOnly, ...cloneable } = options;
  try {
    const meta = await channel.request({ kind: 'open', model: model.slice(), options: cloneable });
    return new WorkerSession(channel, meta);
  } catch (error) {
    await channel.close();
    throw error;
  }
}

/** An idle thread, or a new one. */
function openChannel(): WorkerChannel {
  const channel = idle.pop();
  if (channel && !channel.failed) return channel;
  ortPath ??= createRequire(import.meta.url).resolve('onnxruntime-node');
  return new WorkerChannel(new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { ortPath, logLevel: ort.env.logLevel ?? 'warning' } }));
}

/** Request/reply over one worker; the worker keeps the process alive only while a request is pending. */
class WorkerChannel {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  #next = 0;
  #failure: Error | undefined;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiter = this.#pending.get(reply.id);
      if (!waiter) return;
      this.#settled(reply.id);
      if (reply.error !== undefined) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply);
    });
    const fail = (error: Error) => {
      this.#failure ??= error;
      for (const [id, waiter] of this.#pending) {
        this.#settled(id);
        waiter.reject(this.#failure);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the session's worker thread exited (code ${code})`)));
  }

  request(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#next++;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise<Reply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** True once the thread has died; its requests are refused. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  #settled(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
  }
}

/** The main thread's side of a worker session: the OrtSession interface over messages. */
class WorkerSession implements WorkerOrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: OrtSession['inputMetadata'];
  readonly outputMetadata: OrtSession['outputMetadata'];
  readonly #channel: WorkerChannel;
  #released = false;

  constructor(channel: WorkerChannel, meta: Reply) {
    this.#channel = channel;
    this.inputNames = meta.inputNames ?? [];
    this.outputNames = meta.outputNames ?? [];
    this.inputMetadata = meta.inputMetadata ?? [];
    this.outputMetadata = meta.outputMetadata ?? [];
  }

  run(feeds: ort.InferenceSession.FeedsType, options?: ort.InferenceSession.RunOptions): Promise<ort.InferenceSession.ReturnType>;
  run(feeds: ort.InferenceSession.FeedsType, fetches: ort.InferenceSession.FetchesType, options?: ort.InferenceSession.RunOptions): Promise<ort.InferenceSession.ReturnType>;
  async run(feeds: ort.InferenceSession.FeedsType, fetches?: ort.InferenceSession.FetchesType | ort.InferenceSession.RunOptions): Promise<ort.InferenceSession.ReturnType> {
    this.#checkAlive('run');
    const plain: Record<string, PlainTensor> = {};
    const tensors = cpuTensors(feeds, 'run');
    // Posting a view clones its whole buffer, once per message however many views share it (the
    // Trainer's parameters are views of one flat buffer): views that cover at least half of their buffer
    // go as they are, smaller ones as compact copies.
    const covered = new Map<ArrayBufferLike, number>();
    for (const [, , data] of tensors) covered.set(data.buffer, (covered.get(data.buffer) ?? 0) + data.byteLength);
    for (const [name, t, data] of tensors) {
      const whole = 2 * covered.get(data.buffer)! >= data.buffer.byteLength;
      plain[name] = { type: t.type, dims: t.dims, data: whole ? data : (data as Float32Array).slice() };
    }
    const names = Array.isArray(fetches) ? [...fetches] : undefined;
    const reply = await this.#channel.request({ kind: 'run', feeds: plain, fetches: names });
    return tensorsOf(reply.outputs);
  }

  async runMoving(feeds: Readonly<Record<string, ort.Tensor>>): Promise<MovedRun> {
    this.#checkAlive('runMoving');
    const plain: Record<string, PlainTensor> = {};
    const transfer = new Set<ArrayBuffer>();
    for (const [name, t, data] of cpuTensors(feeds, 'runMoving')) {
      if (!(data.buffer instanceof ArrayBuffer)) throw new TypeError(`runMoving(feeds): input '${name}' must be over a plain ArrayBuffer to be moved`);
      plain[name] = { type: t.type, dims: t.dims, data };
      transfer.add(data.buffer);
    }
    const reply = await this.#channel.request({ kind: 'run', feeds: plain, move: true }, [...transfer]);
    return { outputs: tensorsOf(reply.outputs), feeds: tensorsOf(reply.feeds) };
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    try {
      await this.#channel.request({ kind: 'release' });
    } catch (error) {
      await this.#channel.close();
      throw error;
    }
    if (idle.length < MAX_IDLE) idle.push(this.#channel);
    else await this.#channel.close();
  }

  startProfiling(): void {
    throw new Error('startProfiling: not available for worker sessions');
  }

  endProfiling(): void {
    throw new Error('endProfiling: not available for worker sessions');
  }

  #checkAlive(where: string): void {
    if (this.#released) throw new Error(`${where}: the session has been released`);
  }
}

function cpuTensors(feeds: Readonly<Record<string, unknown>>, where: string) {
  return Object.entries(feeds).map(([name, value]) => {
    const t = value as ort.Tensor;
    if (t.location !== 'cpu') throw new TypeError(`${where}(feeds): input '${name}' must be a CPU tensor for a worker session`);
    return [name, t, t.data as ArrayBufferView & ort.Tensor.DataType] as const;
  });
}

function tensorsOf(plain: Record<string, PlainTensor> | undefined): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(plain ?? {})) out[name] = new ort.Tensor(t.type, t.data, t.dims);
  return out;
}

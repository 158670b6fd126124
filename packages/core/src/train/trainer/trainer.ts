import type { DataType } from '../../onnx/dtype.js';
import type { Model, TensorData } from '../../onnx/ir.js';
import { elementCount } from '../../onnx/tensor.js';
import type { FeedValue } from '../../runtime/feeds.js';
import type { OrtTensorLike, TensorArray } from '../../runtime/runtime.js';
import { createSession, type Session } from '../../runtime/session.js';
import type { SessionOptions } from '../../runtime/session-options.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../artifacts/checkpoint.js';
import { LABELS, LOSS, type TrainingArtifacts } from '../artifacts/generate.js';
import type { ArtifactTarget } from '../artifacts/targets.js';
import { gradientName } from '../optimizers/names.js';
import type { ArtifactModel, ArtifactSet } from './artifact-set.js';
import { BatchStatistics } from './batch-statistics.js'; // batch statistics: batch-statistics.ts
import { accumulatorModelBytes } from './gradient-accumulator.js';
import { inferenceModelFromEval, MODEL_CARD_KEY } from './inference-export.js';
import { startSessions, type StartedSessions, type TrainerOptions } from './start-sessions.js';
import type { TrainingReplicas } from './data-parallel.js';
import type { OptimizerLayout, OptimizerUpdate } from './optimizer-update.js';
import { gradientMap, ReplicaGradients, type GradientMap } from './replica-gradients.js';
import { prepareFeeds } from '../../runtime/feeds.js';
import type { TensorSpec } from '../../runtime/tensor-spec.js';

export type { TrainerOptions } from './start-sessions.js';

/** Result of {@link Trainer.trainStep}. */
export interface TrainStepResult {
  /** Mean loss over the batch. */
  loss: number;
}

/** Result of {@link Trainer.evalStep}. */
export interface EvalStepResult {
  loss: number;
  /** The model's outputs (e.g. probabilities), by name, as float32 on the CPU. */
  outputs: Record<string, { data: TensorArray; dims: readonly number[] }>;
}

type TensorMap = Map<string, OrtTensorLike>;

/**
 * Runs training artifacts on any runtime: the same code drives ORT CPU and CUDA in Node and WebGPU and
 * WASM in browsers. An API in the spirit of ORT's TrainingSession: {@link trainStep} accumulates
 * gradients, {@link optimizerStep} applies them, {@link lazyResetGrad} starts a new accumulation.
 */
export class Trainer {
  /** The device the graphs run on (all three share it). */
  readonly device: Session['device'];
  /** Devices that failed before {@link device}, with their errors. */
  readonly fallbacks: Session['fallbacks'];
  /** The adapter {@link device} runs on, when the runtime identified it (WebGPU in Node). */
  readonly adapter: Session['adapter'];
  /** Trainable parameters in checkpoint order. */
  readonly parameters: readonly { name: string; dims: readonly number[] }[];
  /** Inputs the model itself takes (not labels, not parameters). */
  readonly dataInputs: readonly { name: string; dtype: DataType; shape: readonly (number | string | null)[] }[];
  /** Number of classes the `labels` input expects (last dim of `labels`), when static. */
  readonly labelWidth: number | undefined;
  /** The fingerprint shared by the artifacts and their checkpoints. */
  readonly fingerprint: string;
  /** The artifact target the graphs are formulated for (`'cpu'` on ORT CPU when they could be regenerated). */
  readonly target: ArtifactTarget;
  /** Training-graph replicas that share each large batch (`TrainerOptions.dataParallel`); 1 when off. */
  readonly replicas: number;
  /** How the optimizer update runs: over flat buffers on CPU tensors, else the artifacts' graph as it is. */
  readonly optimizerLayout: OptimizerLayout;

  #training: Session;
  #eval: Session;
  #update: OptimizerUpdate;
  #accumulator: Session | undefined;
  #replicas: TrainingReplicas | undefined;
  #sampleInputs: readonly TensorSpec[];
  #evalModel: ArtifactModel;
  #optimizerConfig: Record<string, unknown> | undefined;
  #params: TensorMap = new Map();
  #state: TensorMap = new Map();
  #stateNames: string[];
  #statistics: BatchStatistics; // batch statistics: batch-statistics.ts
  #grads: GradientMap | ReplicaGradients | undefined;
  #previous: { params: TensorMap; state: TensorMap; step: number } | undefined;
  #resetPending = true;
  #step = 0;
  #keepOnDevice: boolean;
  #options: SessionOptions;
  #released = false;

  private constructor(init: StartedSessions) {
    this.#training = init.training;
    this.#eval = init.eval;
    this.#update = init.optimizer;
    this.optimizerLayout = init.optimizer.layout;
    this.#evalModel = init.evalModel;
    this.#replicas = init.replicas;
    this.replicas = init.replicas?.count ?? 1;
    this.#keepOnDevice = init.keepOnDevice;
    this.#options = init.options;
    this.device = init.training.device;
    this.fallbacks = init.fallbacks;
    this.adapter = init.training.adapter;
    this.target = init.target;
    this.fingerprint = init.checkpoint.fingerprint;
    this.parameters = init.checkpoint.parameters.map((p) => ({ name: p.name, dims: [...p.dims] }));
    this.#stateNames = init.checkpoint.optimizerState.map((s) => s.name);
    this.#optimizerConfig = init.checkpoint.optimizer;
    const paramNames = new Set(this.parameters.map((p) => p.name));
    this.#statistics = new BatchStatistics(init.training, (data, dims) => this.#tensor(data, dims)); // batch statistics: batch-statistics.ts
    this.dataInputs = init.training.inputs
      .filter((s) => s.name !== LABELS && !paramNames.has(s.name) && !this.#statistics.has(s.name))
      .map((s) => ({ name: s.name, dtype: s.dtype as DataType, shape: s.shape ?? [] }));
    this.#sampleInputs = init.training.inputs.filter((s) => !paramNames.has(s.name));
    const labels = init.training.inputs.find((s) => s.name === LABELS);
    const width = labels?.shape?.[labels.shape.length - 1];
    this.labelWidth = typeof width === 'number' ? width : undefined;
    this.#adoptCheckpoint(init.checkpoint);
  }

  /**
   * Starts the three sessions on the first device that works and loads the initial checkpoint. Given
   * artifacts from `generateArtifacts` (or an inference model, generated with `options.artifacts`), the
   * graphs are formulated for the device the sessions land on (`options.target`, default `'auto'`): the
   * `cpu` target on ORT's CPU and WASM providers, the portable one elsewhere.
   *
   * @example
   * ```ts
   * const trainer = await Trainer.create(generateArtifacts(buildSeedCnn(), { optimizer: 'adamw' }), { device: 'cpu' });
   * console.log(trainer.device, trainer.target); // 'cpu' 'cpu'
   * ```
   */
  static async create(artifacts: TrainingArtifacts | ArtifactSet | Model, options: TrainerOptions = {}): Promise<Trainer> {
    return new Trainer(await startSessions(artifacts, options));
  }

  /** Where the parameters live now: `'cpu'`, or `'gpu-buffer'` while they stay on the GPU between steps. */
  get parametersLocation(): string {
    return this.#params.values().next().value?.location ?? 'cpu';
  }

  /** Optimizer updates applied so far. */
  get step(): number {
    return this.#step;
  }

  /**
   * Runs the training graph on one batch: returns the loss and adds the batch's gradients to the
   * accumulated ones (or replaces them after {@link lazyResetGrad}).
   */
  async trainStep(inputs: Record<string, FeedValue>, labels: FeedValue): Promise<TrainStepResult> {
    this.#checkAlive('trainStep');
    const { loss, grads } = await this.#runTraining({ ...this.#dataFeeds(inputs, 'trainStep'), [LABELS]: labels });
    if (this.#resetPending || !this.#grads) {
      this.#disposeGradients();
      this.#grads = grads;
      this.#resetPending = false;
    } else {
      this.#grads = await this.#accumulate(this.#grads, grads);
    }
    return { loss };
  }

  /** Computes the loss and the model's outputs on one batch, without touching gradients. */
  async evalStep(inputs: Record<string, FeedValue>, labels: FeedValue): Promise<EvalStepResult> {
    this.#checkAlive('evalStep');
    const out = await this.#eval.run({ ...this.#dataFeeds(inputs, 'evalStep'), [LABELS]: labels, ...Object.fromEntries(this.#params), ...this.#statistics.feeds() });
    const outputs: EvalStepResult['outputs'] = {};
    for (const [name, t] of Object.entries(out)) {
      if (name !== LOSS) outputs[name] = { data: await t.getData(), dims: t.dims };
    }
    return { loss: Number((await out[LOSS].getData())[0]), outputs };
  }

  /** Applies the accumulated gradients with the optimizer graph and advances {@link step}. */
  async optimizerStep(options: { learningRate: number }): Promise<void> {
    this.#checkAlive('optimizerStep');
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`optimizerStep: 'options' must be an object such as { learningRate: 1e-3 }, got ${options === null ? 'null' : typeof options}`);
    }
    const lr = options.learningRate;
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new RangeError(`optimizerStep: 'learningRate' must be a finite number >= 0, got ${String(lr)}`);
    }
    if (!this.#grads) throw new Error('optimizerStep: no gradients yet; call trainStep first');
    const next = await this.#update.run({ params: this.#params, grads: this.#grads, state: this.#state, learningRate: lr, step: this.#step });
    // Keep one generation back so a step that produces NaN can be undone (see restorePrevious).
    if (this.#previous) this.#disposeGeneration(this.#previous);
    this.#previous = { params: this.#params, state: this.#state, step: this.#step };
    this.#statistics.mark(); // batch statistics: batch-statistics.ts
    ({ params: this.#params, state: this.#state } = next);
    this.#step++;
  }

  /** The next {@link trainStep} starts a new gradient accumulation instead of adding to it. */
  lazyResetGrad(): void {
    this.#resetPending = true;
  }

  /**
   * Undoes the last {@link optimizerStep} (parameters, optimizer state and step), e.g. after it led to a
   * NaN loss. Returns false when there is nothing to undo.
   */
  restorePrevious(): boolean {
    if (!this.#previous) return false;
    this.#disposeGeneration({ params: this.#params, state: this.#state });
    ({ params: this.#params, state: this.#state, step: this.#step } = this.#previous);
    this.#statistics.restore(); // batch statistics: batch-statistics.ts
    this.#previous = undefined;
    this.#resetPending = true;
    return true;
  }

  /** Number of trainable parameter elements. */
  getParametersSize(): number {
    return this.parameters.reduce((n, p) => n + elementCount(p.dims), 0);
  }

  /** All trainable parameters in one Float32Array, in {@link parameters} order. */
  async getContiguousParameters(): Promise<Float32Array> {
    const out = new Float32Array(this.getParametersSize());
    let offset = 0;
    for (const p of this.parameters) {
      const data = (await this.#params.get(p.name)!.getData()) as Float32Array;
      out.set(data, offset);
      offset += data.length;
    }
    return out;
  }

  /** Replaces all trainable parameters from one Float32Array laid out as {@link getContiguousParameters}. */
  async loadParameters(buffer: Float32Array): Promise<void> {
    this.#checkAlive('loadParameters');
    if (!(buffer instanceof Float32Array)) throw new TypeError('loadParameters: buffer must be a Float32Array');
    if (buffer.length !== this.getParametersSize()) {
      throw new RangeError(`loadParameters: buffer has ${buffer.length} elements, the parameters need ${this.getParametersSize()}`);
    }
    const next: TensorMap = new Map();
    let offset = 0;
    for (const p of this.parameters) {
      const n = elementCount(p.dims);
      next.set(p.name, this.#tensor(buffer.slice(offset, offset + n), p.dims));
      offset += n;
    }
    this.#disposeAll(this.#params);
    this.#params = next;
  }

  /** The parameters, optimizer state and step as checkpoint bytes; `metadata` is stored with them. */
  async saveCheckpoint(metadata: Record<string, string> = {}): Promise<Uint8Array> {
    const read = async (names: readonly string[], map: TensorMap, dims: (n: string) => readonly number[]) =>
      Promise.all(
        names.map(async (name): Promise<TensorData> => ({
          name,
          dtype: 'float32',
          dims: [...dims(name)],
          data: ((await map.get(name)!.getData()) as Float32Array).slice(),
        })),
      );
    const paramDims = new Map(this.parameters.map((p) => [p.name, p.dims]));
    const stateDims = (name: string) => this.#state.get(name)!.dims;
    return encodeCheckpoint({
      fingerprint: this.fingerprint,
      step: this.#step,
      parameters: await read(this.parameters.map((p) => p.name), this.#params, (n) => paramDims.get(n)!),
      optimizerState: await read(this.#stateNames, this.#state, stateDims),
      buffers: await this.#statistics.read(), // batch statistics: batch-statistics.ts
      ...(this.#optimizerConfig ? { optimizer: this.#optimizerConfig } : {}),
      metadata,
    });
  }

  /**
   * Restores parameters, optimizer state and step from checkpoint bytes and returns the checkpoint's
   * metadata. A checkpoint of other artifacts (another model or other trainable parameters) is
   * refused with a RangeError.
   */
  async loadCheckpoint(bytes: Uint8Array): Promise<Record<string, string>> {
    this.#checkAlive('loadCheckpoint');
    const checkpoint = decodeCheckpoint(bytes);
    if (checkpoint.fingerprint !== this.fingerprint) {
      throw new RangeError(
        `loadCheckpoint: this checkpoint belongs to another model or other trainable parameters ` +
          `(its fingerprint is ${checkpoint.fingerprint}, these artifacts' is ${this.fingerprint})`,
      );
    }
    this.#disposeAll(this.#params);
    this.#disposeAll(this.#state);
    this.#adoptCheckpoint(checkpoint);
    return checkpoint.metadata ?? {};
  }

  /**
   * A plain inference model with the current parameters (labels and loss removed), with a model card
   * and `metadata` in its metadata_props.
   */
  async exportModelForInference(metadata: Record<string, string> = {}): Promise<Model> {
    const parameters: TensorData[] = [];
    for (const p of this.parameters) {
      const data = ((await this.#params.get(p.name)!.getData()) as Float32Array).slice();
      parameters.push({ name: p.name, dtype: 'float32', dims: [...p.dims], data });
    }
    parameters.push(...(await this.#statistics.read())); // batch statistics: batch-statistics.ts
    const card = { trainedWith: 'onnxkit', optimizerSteps: this.#step, device: this.device, optimizer: this.#optimizerConfig };
    return inferenceModelFromEval(this.#evalModel.model, parameters, { [MODEL_CARD_KEY]: JSON.stringify(card), ...metadata });
  }

  /** Frees all sessions and device memory. Safe to call twice. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#disposeGradients();
    if (this.#previous) this.#disposeGeneration(this.#previous);
    this.#disposeGeneration({ params: this.#params, state: this.#state });
    this.#statistics.dispose(); // batch statistics: batch-statistics.ts
    for (const s of [this.#training, this.#eval, this.#accumulator]) await s?.release();
    await this.#update.release();
    await this.#replicas?.release();
  }

  #adoptCheckpoint(checkpoint: Checkpoint): void {
    this.#statistics.load(checkpoint); // batch statistics: batch-statistics.ts
    const byName = new Map(checkpoint.parameters.map((p) => [p.name, p]));
    for (const p of this.parameters) {
      const t = byName.get(p.name);
      if (!t || t.dims.join() !== p.dims.join()) {
        throw new RangeError(`loadCheckpoint: parameter '${p.name}' is missing or has other dims in the checkpoint`);
      }
    }
    this.#params = new Map(this.parameters.map((p) => [p.name, this.#tensor(byName.get(p.name)!.data as Float32Array, p.dims)]));
    this.#state = new Map(checkpoint.optimizerState.map((s) => [s.name, this.#tensor(s.data as Float32Array, s.dims)]));
    this.#step = checkpoint.step;
    this.#previous = undefined;
    this.#resetPending = true;
  }

  /** The batch's loss and gradients: from the replicas when the batch is large enough to share, else one run. */
  async #runTraining(batch: Record<string, FeedValue>): Promise<{ loss: number; grads: GradientMap | ReplicaGradients }> {
    const names = this.parameters.map((p) => p.name);
    if (this.#replicas) {
      const checked = prepareFeeds(batch, this.#sampleInputs, this.#training.runtime);
      const slices = this.#replicas.slicesFor(checked[LABELS].dims[0] ?? 0);
      if (slices > 1) {
        const { loss, gradients } = await this.#replicas.run(checked, this.#params, slices);
        return { loss, grads: gradients };
      }
      batch = checked;
    }
    const out = await this.#training.run({ ...batch, ...Object.fromEntries(this.#params), ...this.#statistics.feeds() });
    this.#statistics.adopt(out); // batch statistics: batch-statistics.ts
    const grads: TensorMap = new Map(names.map((n) => [n, out[gradientName(n)].tensor]));
    return { loss: Number((await out[LOSS].getData())[0]), grads };
  }

  #dataFeeds(inputs: Record<string, FeedValue>, where: string): Record<string, FeedValue> {
    if (!inputs || typeof inputs !== 'object') throw new TypeError(`${where}: inputs must be an object of model inputs`);
    for (const name of Object.keys(inputs)) {
      if (name === LABELS || this.parameters.some((p) => p.name === name) || this.#statistics.has(name)) { // batch statistics: batch-statistics.ts
        throw new TypeError(`${where}: '${name}' is not a data input; pass labels as the second argument`);
      }
    }
    return inputs;
  }

  async #accumulate(sumSoFar: GradientMap | ReplicaGradients, added: GradientMap | ReplicaGradients): Promise<GradientMap> {
    const sum = gradientMap(sumSoFar, this.#training.runtime);
    const add = gradientMap(added, this.#training.runtime);
    this.#accumulator ??= await createSession(accumulatorModelBytes(this.parameters), {
      ...this.#options,
      ...(this.#keepOnDevice
        ? { preferredOutputLocation: 'gpu-buffer' as const }
        : {}),
    });
    const feeds: Record<string, FeedValue> = {};
    for (const p of this.parameters) {
      feeds[`${p.name}.acc`] = sum.get(p.name)!;
      feeds[gradientName(p.name)] = add.get(p.name)!;
    }
    const out = await this.#accumulator.run(feeds);
    this.#disposeAll(sum);
    this.#disposeAll(add);
    return new Map(this.parameters.map((p) => [p.name, out[`${p.name}.sum`].tensor]));
  }

  #tensor(data: Float32Array, dims: readonly number[]): OrtTensorLike {
    return this.#training.runtime.createTensor('float32', data, dims);
  }

  #disposeAll(map: TensorMap | undefined): void {
    if (!map) return;
    for (const t of map.values()) if (t.location === 'gpu-buffer') t.dispose();
  }

  #disposeGradients(): void {
    if (!(this.#grads instanceof ReplicaGradients)) this.#disposeAll(this.#grads);
  }

  #disposeGeneration(g: { params: TensorMap; state: TensorMap }): void {
    this.#disposeAll(g.params);
    this.#disposeAll(g.state);
  }

  #checkAlive(where: string): void {
    if (this.#released) throw new Error(`${where}: the trainer has been released`);
  }
}

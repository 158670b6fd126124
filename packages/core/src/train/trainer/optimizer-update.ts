import { OPTIMIZER_OPTIONS_KEY } from '../../metadata-keys.js';
import { encodeModel } from '../../onnx/codec/model-codec.js';
import { elementCount } from '../../onnx/tensor.js';
import type { FeedValue } from '../../runtime/feeds.js';
import type { OrtTensorLike } from '../../runtime/runtime.js';
import type { Session } from '../../runtime/session.js';
import type { Checkpoint } from '../artifacts/checkpoint.js';
import { buildOptimizerModel, buildSummedGradientUpdate, gradientPartName, gradientWeightName } from '../optimizers/build-optimizer.js';
import { gradientName, LEARNING_RATE, stateName, STEP, updatedName } from '../optimizers/names.js';
import { resolveOptimizerOptions, stateSlots, type ResolvedOptimizerOptions } from '../optimizers/options.js';
import type { ArtifactModel } from './artifact-set.js';
import { gradientMap, ReplicaGradients, type GradientMap } from './replica-gradients.js';

type TensorMap = Map<string, OrtTensorLike>;

/** Parameters, gradients and state by name: what one optimizer update reads. */
export interface UpdateInputs {
  params: ReadonlyMap<string, OrtTensorLike>;
  /** By name, or as the data-parallel replicas left them (summed by the update). */
  grads: GradientMap | ReplicaGradients;
  state: ReadonlyMap<string, OrtTensorLike>;
  learningRate: number;
  step: number;
}

/** The new parameters and state of one update (new tensors; the inputs are left as they were). */
export interface UpdateResult {
  params: TensorMap;
  state: TensorMap;
}

/**
 * How the Trainer runs the optimizer update: `'flat'`, the artifacts' update rule over one buffer per
 * quantity (parameters, gradient, each state slot) when tensors live on the CPU; `'per-parameter'`, the
 * artifacts' optimizer graph as it is (tensors kept on a GPU, or a graph onnxkit did not build).
 */
export type OptimizerLayout = 'flat' | 'per-parameter';

/** One optimizer update: the artifacts' graph per parameter, or the same rule over flat buffers. */
export interface OptimizerUpdate {
  /** The session that runs the update. */
  readonly session: Session;
  /** Which of the two runs it. */
  readonly layout: OptimizerLayout;
  run(inputs: UpdateInputs): Promise<UpdateResult>;
  /** Frees its sessions. */
  release(): Promise<void>;
}

/** A parameter as the update lays it out. */
interface Slot {
  name: string;
  dims: readonly number[];
  offset: number;
  size: number;
}

/** The name of the single parameter of the flat optimizer graph (internal to it). */
const FLAT = 'parameters';

/**
 * The graph of the flat update, or undefined when it cannot stand in for the artifacts' optimizer graph.
 * The update rules are elementwise and the same for every parameter (weight decay included; gradient
 * clipping sums over all of them either way), so one parameter holding every parameter end to end is
 * the same update with a handful of nodes instead of ~15 per parameter: ORT's per-node cost, not the
 * arithmetic, is most of a small model's optimizer step. It is used only when the artifacts' optimizer
 * graph is, byte for byte, the one onnxkit builds from the options recorded in it; any other graph
 * (older generator, edited file) runs as it is. With `gradientParts` > 1 (data-parallel replicas) the
 * gradient comes in that many parts, one per replica, summed with weights inside the graph.
 */
export function flatOptimizerModel(optimizer: ArtifactModel, checkpoint: Checkpoint, gradientParts = 1): { bytes: Uint8Array; slots: readonly string[] } | undefined {
  const recorded = optimizer.model.metadata[OPTIMIZER_OPTIONS_KEY];
  if (!recorded || checkpoint.parameters.length === 0 || checkpoint.parameters.some((p) => p.dtype !== 'float32')) return undefined;
  let options: ResolvedOptimizerOptions;
  try {
    options = resolveOptimizerOptions(JSON.parse(recorded) as ResolvedOptimizerOptions);
  } catch {
    return undefined;
  }
  const params = checkpoint.parameters.map((p) => ({ name: p.name, dtype: 'float32' as const, dims: p.dims }));
  const rebuilt = buildOptimizerModel(params, options);
  const sameState = rebuilt.state.length === checkpoint.optimizerState.length && rebuilt.state.every((s, i) => s.name === checkpoint.optimizerState[i].name);
  if (!sameState || !sameBytes(encodeModel({ ...rebuilt.model, metadata: optimizer.model.metadata }), optimizer.bytes)) return undefined;
  const total = params.reduce((n, p) => n + elementCount(p.dims), 0);
  const flat = [{ name: FLAT, dtype: 'float32' as const, dims: [total] }];
  const model = gradientParts > 1 ? buildSummedGradientUpdate(flat, options, gradientParts).model : buildOptimizerModel(flat, options).model;
  return { bytes: encodeModel(model), slots: stateSlots(options.optimizer) };
}

/** The artifacts' optimizer graph as it is: every parameter, gradient and state tensor by name. */
export class PerParameterUpdate implements OptimizerUpdate {
  readonly session: Session;
  readonly layout = 'per-parameter';
  readonly #params: readonly string[];
  readonly #state: readonly string[];

  constructor(session: Session, params: readonly string[], state: readonly string[]) {
    this.session = session;
    this.#params = params;
    this.#state = state;
  }

  async run({ params, grads, state, learningRate, step }: UpdateInputs): Promise<UpdateResult> {
    const feeds: Record<string, FeedValue> = scalars(this.session, learningRate, step);
    const byName = gradientMap(grads, this.session.runtime);
    for (const p of this.#params) {
      feeds[p] = params.get(p)!;
      feeds[gradientName(p)] = byName.get(p)!;
    }
    for (const s of this.#state) feeds[s] = state.get(s)!;
    const out = await this.session.run(feeds);
    return {
      params: new Map(this.#params.map((p) => [p, out[updatedName(p)].tensor])),
      state: new Map(this.#state.map((s) => [s, out[updatedName(s)].tensor])),
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/**
 * The update over one flat buffer per quantity (see {@link flatOptimizerModel}); CPU tensors only. The
 * new parameters and state come back as views of the graph's flat outputs, so the next update reads
 * them without a copy; gradients (separate outputs of the training graph) are gathered into a scratch
 * buffer, and replicas' gradients go in as their flat parts, summed by the graph.
 */
export class FlatUpdate implements OptimizerUpdate {
  readonly session: Session;
  readonly layout = 'flat';
  readonly #slots: readonly Slot[];
  readonly #stateSlots: readonly string[];
  readonly #total: number;
  readonly #parts: number;
  /** Where gradients that are not yet one buffer are gathered (made on first need: replicas' gradients already are). */
  #gradients: Float32Array | undefined;
  /** Zeros for the gradient parts of replicas that did not run. */
  #zeros: Float32Array | undefined;

  /** `gradientParts`: as the session's graph was built (`flatOptimizerModel`). */
  constructor(session: Session, params: readonly { name: string; dims: readonly number[] }[], stateSlotNames: readonly string[], gradientParts = 1) {
    this.session = session;
    let offset = 0;
    this.#slots = params.map((p) => {
      const size = elementCount(p.dims);
      const slot = { name: p.name, dims: p.dims, offset, size };
      offset += size;
      return slot;
    });
    this.#total = offset;
    this.#stateSlots = stateSlotNames;
    this.#parts = gradientParts;
  }

  async run({ params, grads, state, learningRate, step }: UpdateInputs): Promise<UpdateResult> {
    const runtime = this.session.runtime;
    const flat = (data: Float32Array) => runtime.createTensor('float32', data, [this.#total]);
    const feeds: Record<string, FeedValue> = scalars(this.session, learningRate, step);
    feeds[FLAT] = flat(this.#gather((n) => params.get(n)!));
    const scratch = () => (this.#gradients ??= new Float32Array(this.#total));
    if (this.#parts === 1) {
      const byName = gradientMap(grads, runtime);
      feeds[gradientName(FLAT)] = flat(this.#gather((n) => byName.get(n)!, scratch));
    } else {
      // Replicas' gradients go in as their parts; any other gradient as part 0 with weight 1.
      const replicas = grads instanceof ReplicaGradients ? grads : undefined;
      const parts = replicas?.parts ?? [this.#gather((n) => (grads as GradientMap).get(n)!, scratch)];
      const weights = replicas?.weights ?? [1];
      for (let r = 0; r < this.#parts; r++) {
        feeds[gradientPartName(FLAT, r)] = flat(parts[r] ?? (this.#zeros ??= new Float32Array(this.#total)));
        feeds[gradientWeightName(r)] = runtime.createTensor('float32', Float32Array.of(weights[r] ?? 0), []);
      }
    }
    for (const slot of this.#stateSlots) feeds[stateName(FLAT, slot)] = flat(this.#gather((n) => state.get(stateName(n, slot))!));
    const out = await this.session.run(feeds);
    const views = (data: Float32Array, name: (p: string) => string) =>
      this.#slots.map((s): [string, OrtTensorLike] => [name(s.name), runtime.createTensor('float32', data.subarray(s.offset, s.offset + s.size), s.dims)]);
    const result: UpdateResult = { params: new Map(views(out[updatedName(FLAT)].tensor.data as Float32Array, (p) => p)), state: new Map() };
    for (const slot of this.#stateSlots) {
      for (const [name, t] of views(out[updatedName(stateName(FLAT, slot))].tensor.data as Float32Array, (p) => stateName(p, slot))) result.state.set(name, t);
    }
    return result;
  }

  release(): Promise<void> {
    return this.session.release();
  }

  /** One flat buffer of the tensors `tensorOf(name)`: their own buffer when they are already its consecutive views, else a copy. */
  #gather(tensorOf: (name: string) => OrtTensorLike, into?: () => Float32Array): Float32Array {
    const parts = this.#slots.map((s) => tensorOf(s.name).data as Float32Array);
    const buffer = parts[0].buffer;
    const viewsOfOne =
      buffer.byteLength === this.#total * 4 && parts.every((d, i) => d.buffer === buffer && d.byteOffset === this.#slots[i].offset * 4);
    if (viewsOfOne) return new Float32Array(buffer);
    const out = into?.() ?? new Float32Array(this.#total);
    parts.forEach((d, i) => out.set(d, this.#slots[i].offset));
    return out;
  }
}

function scalars(session: Session, learningRate: number, step: number): Record<string, FeedValue> {
  return {
    [LEARNING_RATE]: session.runtime.createTensor('float32', Float32Array.of(learningRate), []),
    [STEP]: session.runtime.createTensor('float32', Float32Array.of(step), []),
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

import type { TensorData } from '../../onnx/ir.js';
import type { OrtTensorLike } from '../../runtime/runtime.js';
import type { Session, SessionOutputs } from '../../runtime/session.js';
import type { Checkpoint } from '../artifacts/checkpoint.js';
import { updatedName } from '../optimizers/names.js';

type TensorMap = Map<string, OrtTensorLike>;

/** The training graph's outputs for the checkpoint's buffers (`<statistic>.new`), e.g. to keep them on the device. */
export function statisticOutputNames(checkpoint: Checkpoint): string[] {
  return (checkpoint.buffers ?? []).map((t) => updatedName(t.name));
}

/**
 * The running statistics of artifacts made with `batchNorm: 'train'` (docs/ARTIFACTS.md,
 * "BatchNormalization"), as the Trainer carries them: the training graph takes each as an input and
 * gives its update as `<statistic>.new`, which feeds the next step (every training step updates them,
 * as every forward pass of a PyTorch model in `train()` does); the eval graph and the exported model
 * read the current values. With frozen BatchNormalization there are none and every method is a no-op.
 *
 * `restore` goes back to the values current at the last `mark` (the Trainer marks at each optimizer
 * step), so undoing an update also undoes the statistics the steps after it computed.
 */
export class BatchStatistics {
  /** Statistic names, in checkpoint order. */
  readonly names: readonly string[];
  readonly #dims: ReadonlyMap<string, readonly number[]>;
  readonly #tensor: (data: Float32Array, dims: readonly number[]) => OrtTensorLike;
  #current: TensorMap = new Map();
  #marked: TensorMap | undefined;

  /**
   * Reads the statistics a training session takes (the inputs `x` with an output `x.new`); a checkpoint
   * is loaded with {@link load}.
   */
  constructor(training: Pick<Session, 'inputs' | 'outputs'>, tensor: (data: Float32Array, dims: readonly number[]) => OrtTensorLike) {
    const outputs = new Set(training.outputs.map((o) => o.name));
    const stats = training.inputs.filter((i) => outputs.has(updatedName(i.name)));
    this.names = Object.freeze(stats.map((s) => s.name));
    this.#dims = new Map(stats.map((s) => [s.name, (s.shape ?? []).map(Number)]));
    this.#tensor = tensor;
  }

  /** Whether `name` is one of the statistics (not a data input). */
  has(name: string): boolean {
    return this.#dims.has(name);
  }

  /** The current values, as feeds of the training or eval graph. */
  feeds(): Record<string, OrtTensorLike> {
    return Object.fromEntries(this.#current);
  }

  /** Takes the training step's `<statistic>.new` outputs as the current values. */
  adopt(out: SessionOutputs): void {
    if (this.names.length === 0) return;
    const old = this.#current;
    this.#current = new Map(this.names.map((n) => [n, out[updatedName(n)].tensor]));
    this.#drop(old);
  }

  /** Remembers the current values as the ones {@link restore} returns to. */
  mark(): void {
    const old = this.#marked;
    this.#marked = this.#current;
    this.#drop(old);
  }

  /** Returns to the values of the last {@link mark}; false when there was none. */
  restore(): boolean {
    if (!this.#marked) return false;
    const old = this.#current;
    this.#current = this.#marked;
    this.#marked = undefined;
    this.#drop(old);
    return true;
  }

  /**
   * Loads a checkpoint's buffers. A checkpoint without the statistics these artifacts take (made with
   * frozen BatchNormalization), or with statistics they do not take, is refused with a RangeError.
   */
  load(checkpoint: Checkpoint): void {
    const buffers = new Map((checkpoint.buffers ?? []).map((t) => [t.name, t]));
    for (const name of buffers.keys()) {
      if (!this.has(name)) {
        throw new RangeError(`loadCheckpoint: the checkpoint holds running statistic '${name}', which these artifacts do not take (their BatchNormalization is frozen)`);
      }
    }
    const next: TensorMap = new Map();
    for (const name of this.names) {
      const t = buffers.get(name);
      const dims = this.#dims.get(name) ?? [];
      if (!t || t.dtype !== 'float32' || t.dims.join() !== dims.join()) {
        throw new RangeError(
          `loadCheckpoint: running statistic '${name}' is missing or has other dims in the checkpoint (artifacts with batchNorm 'train' need the checkpoint they came with, or one saved from them)`,
        );
      }
      next.set(name, this.#tensor((t.data as Float32Array).slice(), dims));
    }
    this.#replaceAll(next);
  }

  /** The current values, read back to the CPU (for a checkpoint or an exported model). */
  async read(): Promise<TensorData[]> {
    return Promise.all(
      this.names.map(async (name): Promise<TensorData> => ({
        name,
        dtype: 'float32',
        dims: [...(this.#dims.get(name) ?? [])],
        data: ((await this.#current.get(name)!.getData()) as Float32Array).slice(),
      })),
    );
  }

  /** Frees device memory of every value held. */
  dispose(): void {
    this.#replaceAll(new Map());
  }

  #replaceAll(next: TensorMap): void {
    const old = [this.#current, this.#marked];
    this.#current = next;
    this.#marked = undefined;
    for (const map of new Set(old)) this.#drop(map);
  }

  /** Frees the GPU tensors of a generation no longer held (current and marked may be the same one). */
  #drop(map: TensorMap | undefined): void {
    if (!map || map === this.#current || map === this.#marked) return;
    for (const t of map.values()) if (t.location === 'gpu-buffer') t.dispose();
  }
}

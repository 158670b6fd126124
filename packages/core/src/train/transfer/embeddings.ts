import type { ImageDataset } from '../../data/dataset.js';
import type { Session } from '../../runtime/session.js';
import { imagesToFeed } from '../trainer/fit.js';

/**
 * Where embeddings are kept between uses, by key (docs/FINETUNING.md, "A frozen backbone"). Keys name
 * the backbone and the example together, so a different model or a changed image never hits. A store
 * may drop what it likes; `get` returns undefined for anything it does not hold with exactly `length`
 * values.
 */
export interface EmbeddingStore {
  get(key: string, length: number): Promise<Float32Array | undefined>;
  set(key: string, value: Float32Array): Promise<void>;
}

/** An {@link EmbeddingStore} in memory (this process only). */
export class MemoryEmbeddingStore implements EmbeddingStore {
  readonly #values = new Map<string, Float32Array>();

  /** Number of embeddings held. */
  get size(): number {
    return this.#values.size;
  }

  async get(key: string, length: number): Promise<Float32Array | undefined> {
    const v = this.#values.get(key);
    return v && v.length === length ? v : undefined;
  }

  async set(key: string, value: Float32Array): Promise<void> {
    this.#values.set(key, value.slice());
  }
}

/** Options of {@link embedExamples}. */
export interface EmbedOptions {
  /** A session of the backbone (`splitAtHead(model).backbone`): one image input, one `[N, D]` output. */
  backbone: Session;
  /** Number of examples. */
  count: number;
  /** Each example's store key; see {@link EmbeddingStore}. */
  keys: readonly string[];
  /** Example `index` as the backbone's input wants it (CHW, values prepared); called only when not stored. */
  image: (index: number) => Float32Array | Promise<Float32Array>;
  /** The images' [channels, height, width]. */
  shape: readonly [number, number, number];
  store?: EmbeddingStore;
  /** Images per backbone run. @defaultValue 16 */
  batchSize?: number;
  /** Called after each backbone run with the examples embedded so far. */
  onProgress?: (done: number, count: number) => void;
}

/** What {@link embedExamples} did. */
export interface Embeddings {
  /** `count × dims` values, example-major. */
  features: Float32Array;
  dims: number;
  /** Examples the backbone ran on, and examples the store had. */
  computed: number;
  stored: number;
}

/**
 * Runs a frozen backbone once per example that `store` does not already hold, and stores what it
 * computed: the features a head trains on for every epoch. Without a store every example is computed.
 */
export async function embedExamples(options: EmbedOptions): Promise<Embeddings> {
  const { backbone, count, keys, shape, store } = options;
  const batchSize = options.batchSize ?? 16;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`embedExamples: 'count' must be a positive integer, got ${count}`);
  if (keys.length !== count) throw new RangeError(`embedExamples: ${keys.length} keys for ${count} examples`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`embedExamples: 'batchSize' must be a positive integer, got ${batchSize}`);
  const output = backbone.outputs[0];
  const dims = output?.shape?.[1];
  if (backbone.outputs.length !== 1 || output.shape?.length !== 2 || typeof dims !== 'number') {
    throw new RangeError('embedExamples: the backbone must have one [N, D] output with a static D (splitAtHead gives one)');
  }
  const input = backbone.inputs[0];
  const asInput = { dataInputs: [{ name: input.name, dtype: 'float32' as const, shape: input.shape ?? [] }] };
  const features = new Float32Array(count * dims);
  const missing: number[] = [];
  for (let i = 0; i < count; i++) {
    const hit = store ? await store.get(keys[i], dims) : undefined;
    if (hit) features.set(hit, i * dims);
    else missing.push(i);
  }
  const size = shape[0] * shape[1] * shape[2];
  for (let start = 0; start < missing.length; start += batchSize) {
    const batch = missing.slice(start, start + batchSize);
    const images = new Float32Array(batch.length * size);
    for (let k = 0; k < batch.length; k++) {
      const image = await options.image(batch[k]);
      if (image.length !== size) throw new RangeError(`embedExamples: example ${batch[k]} has ${image.length} values, [${shape.join(', ')}] needs ${size}`);
      images.set(image, k * size);
    }
    const out = await backbone.run(imagesToFeed(asInput, images, batch.length, shape));
    const values = (await out[output.name].getData()) as Float32Array;
    for (let k = 0; k < batch.length; k++) {
      const v = values.subarray(k * dims, (k + 1) * dims);
      features.set(v, batch[k] * dims);
      if (store) await store.set(keys[batch[k]], v);
    }
    options.onProgress?.(count - missing.length + start + batch.length, count);
  }
  return { features, dims, computed: missing.length, stored: count - missing.length };
}

/** Embeddings as a dataset a head trains on with `fit` (shape [D, 1, 1]; labels and classes of `like`). */
export function embeddingDataset(embeddings: Embeddings, like: Pick<ImageDataset, 'labels' | 'classes' | 'classNames'>): ImageDataset {
  const count = embeddings.features.length / embeddings.dims;
  if (like.labels.length !== count) throw new RangeError(`embeddingDataset: ${like.labels.length} labels for ${count} embeddings`);
  return {
    images: embeddings.features,
    labels: like.labels,
    count,
    shape: [embeddings.dims, 1, 1],
    classes: like.classes,
    ...(like.classNames ? { classNames: like.classNames } : {}),
  };
}

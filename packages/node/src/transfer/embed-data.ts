import { createHash } from 'node:crypto';
import {
  createSession,
  embedExamples,
  embeddingDataset,
  encodeModel,
  getImageDecoder,
  getPreprocessingSpec,
  preprocessInto,
  PREPROCESSING_KEY,
  type DeviceOption,
  type EmbeddingStore,
  type Embeddings,
  type ImageDataset,
  type Model,
  type PreprocessingSpec,
} from '@onnxkit/core';
import { listImageFolder } from '../data/image-folder.js';
import { readUntrustedFile } from '../io/read-untrusted.js';

/** Decoder limit on the pixels of one image (as the image-folder loader's). */
const MAX_PIXELS = 50_000_000;

const sha256 = (...parts: (Uint8Array | string)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/**
 * The backbone half of an embedding key: SHA-256 of the backbone's ONNX bytes and of the preprocessing
 * that prepares its input (another spec gives other inputs, so other embeddings).
 */
export function backboneKey(backbone: Model, preprocessing: PreprocessingSpec | undefined): string {
  return sha256(encodeModel(backbone), JSON.stringify(preprocessing ?? null));
}

/** Options of {@link embedImageFolder} and {@link embedDataset}. */
export interface EmbedDataOptions {
  /** Where embeddings are kept (a `DiskEmbeddingStore` keeps them across runs). @defaultValue none: every image is computed */
  store?: EmbeddingStore;
  /** Device of the backbone session. @defaultValue 'auto' */
  device?: DeviceOption;
  /** Images per backbone run. @defaultValue 16 */
  batchSize?: number;
  /** Called after each backbone run with the images embedded so far. */
  onProgress?: (done: number, count: number) => void;
}

/** Embeddings of labelled examples as a dataset a head trains on (`fit`), and what computing them took. */
export interface EmbeddedData {
  /** Features `[D, 1, 1]` per example, with the examples' labels and classes. */
  dataset: ImageDataset;
  embeddings: Embeddings;
  /** Seconds spent (reading, hashing, decoding what was not stored, running the backbone). */
  seconds: number;
}

/**
 * Embeds a labelled image folder `<dir>/<label>/*.png` with a frozen backbone (`splitAtHead(model).backbone`):
 * each file is read (as an untrusted file: regular files only, size-capped) and hashed; only files whose
 * embedding `store` lacks (key: {@link backboneKey} and the file's SHA-256) are decoded, prepared with
 * the backbone's preprocessing spec (or `preprocessing`) and run through the backbone.
 */
export async function embedImageFolder(
  backbone: Model,
  dir: string,
  options: EmbedDataOptions & { preprocessing?: PreprocessingSpec; classNames?: readonly string[] } = {},
): Promise<EmbeddedData & { files: string[] }> {
  const started = performance.now();
  const spec = options.preprocessing ?? getPreprocessingSpec(backbone);
  if (!spec) throw new RangeError(`embedImageFolder: the backbone has no preprocessing spec ('${PREPROCESSING_KEY}'); pass options.preprocessing`);
  const { files, classNames } = await listImageFolder(dir, options.classNames);
  const model = backboneKey(backbone, spec);
  const read = (file: string) => readUntrustedFile(file, { kind: 'image', what: 'image' });
  const keys: string[] = [];
  for (const { file } of files) keys.push(`${model}:${sha256(await read(file))}`);
  const nchw: PreprocessingSpec = { ...spec, layout: 'NCHW' };
  const shape = [spec.channels, spec.height, spec.width] as const;
  const decoder = getImageDecoder();
  const embeddings = await runBackbone(backbone, files.length, keys, shape, options, async (i) => {
    const raw = await decoder.decode(await read(files[i].file), { maxPixels: MAX_PIXELS });
    const out = new Float32Array(shape[0] * shape[1] * shape[2]);
    preprocessInto(raw, nchw, out, 0, files[i].file, MAX_PIXELS);
    return out;
  });
  const labels = Int32Array.from(files, (f) => f.label);
  return {
    dataset: embeddingDataset(embeddings, { labels, classes: classNames.length, classNames }),
    embeddings,
    seconds: (performance.now() - started) / 1000,
    files: files.map((f) => f.file),
  };
}

/**
 * Embeds an in-memory dataset (already prepared, NCHW, e.g. an IDX folder) with a frozen backbone;
 * store keys are {@link backboneKey} and the SHA-256 of each example's values.
 */
export async function embedDataset(backbone: Model, data: ImageDataset, options: EmbedDataOptions = {}): Promise<EmbeddedData> {
  const started = performance.now();
  const model = backboneKey(backbone, getPreprocessingSpec(backbone));
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const image = (i: number) => data.images.subarray(i * size, (i + 1) * size);
  const keys = Array.from({ length: data.count }, (_, i) => {
    const v = image(i);
    return `${model}:${sha256(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))}`;
  });
  const embeddings = await runBackbone(backbone, data.count, keys, data.shape, options, image);
  return { dataset: embeddingDataset(embeddings, data), embeddings, seconds: (performance.now() - started) / 1000 };
}

async function runBackbone(
  backbone: Model,
  count: number,
  keys: string[],
  shape: readonly [number, number, number],
  options: EmbedDataOptions,
  image: (i: number) => Float32Array | Promise<Float32Array>,
): Promise<Embeddings> {
  const session = await createSession(encodeModel(backbone), { device: options.device ?? 'auto' });
  try {
    return await embedExamples({
      backbone: session,
      count,
      keys,
      image,
      shape,
      ...(options.store ? { store: options.store } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await session.release();
  }
}

import type { DataType } from '../../onnx/dtype.js';
import { checkModelLoadOptions } from '../../runtime/model-load-options.js';
import { startSession, type Session } from '../../runtime/session.js';
import type { Device } from '../../runtime/device.js';
import { formatSpecs, type TensorSpec } from '../../runtime/tensor-spec.js';
import { getImageDecoder, type ImageDecoder, type ImageInput } from '../image/decoder-registry.js';
import { ImageError } from '../image/image-error.js';
import { DEFAULT_MAX_PIXELS, describeImage, isRawImage, type RawImage } from '../image/raw-image.js';
import { preprocessInto, valuesPerImage } from '../preprocess/preprocess.js';
import { checkLabels, getLabels, getPreprocessingSpec } from '../metadata/model-metadata.js';
import { PREPROCESSING_KEY, type PreprocessingSpec } from '../metadata/preprocessing-spec.js';
import { resolvePreprocessingSpec } from '../metadata/resolve-spec.js';
import { modelBytesAndMetadata, type ClassifierModel } from './load-model.js';
import { positiveInt, type ClassifierOptions, type ClassifyOptions, type ClassifyStreamOptions } from './options.js';
import { checkImagePool, type ImagePool } from '../pool/image-pool.js';
import { pooledSessionOptions } from './pooled-session.js';
import { isImageStream } from '../pool/image-stream.js';
import { orderedBatches } from '../pool/ordered-stream.js';
import { inputDims, pick, staticClasses } from './model-io.js';
import { rowProbabilities, topK, type Prediction, type ScoreKind } from './scores.js';

/** A classified image: the best class (`label`, `index`, `probability`) and the `topK` best. */
export interface Classification extends Prediction {
  readonly ok: true;
  /** The image as given: its path/URL, or a short description. */
  readonly source: string;
  /** The `topK` most probable classes, best first (`top[0]` is the best). */
  readonly top: readonly Prediction[];
}

/** An image that could not be classified, and why. */
export interface ClassificationFailure {
  readonly ok: false;
  readonly source: string;
  readonly error: ImageError;
}

/** One entry of a batch result: check `ok`. */
export type ClassifyResult = Classification | ClassificationFailure;

const DEFAULT_BATCH = 64;

/**
 * Images in, labels out. Load a model once, then classify one image or many: images are decoded by the
 * platform's decoder (or given as raw pixels), preprocessed by the model's spec, and run in batches.
 * In a batch, a bad image gets its own failure entry and the others are still classified.
 *
 * ```ts
 * const clf = await Classifier.load('mnist-cnn'); // a shipped model by name (Node), a path or a URL
 * const { label, probability } = await clf.classify('digit.png');
 * ```
 */
export class Classifier {
  /** The session running the model. */
  readonly session: Session;
  /** Class labels, index = class. */
  readonly labels: readonly string[];
  /** How images become tensors; undefined when the model has none and none was given. */
  readonly preprocessing: PreprocessingSpec | undefined;
  /** The model input fed with images. */
  readonly input: TensorSpec;
  /** The model output read as class scores. */
  readonly output: TensorSpec;
  /** Images per inference call. */
  readonly batchSize: number;
  readonly #fixedBatch: number | undefined;
  readonly #scores: ScoreKind;
  readonly #maxPixels: number;
  readonly #decoder: ImageDecoder | undefined;
  readonly #concurrency: number;
  readonly #pool: ImagePool | undefined;

  private constructor(session: Session, init: ClassifierInit) {
    this.session = session;
    this.labels = Object.freeze([...init.labels]);
    this.preprocessing = init.preprocessing;
    this.input = init.input;
    this.output = init.output;
    this.batchSize = init.batchSize;
    this.#fixedBatch = init.fixedBatch;
    this.#scores = init.scores;
    this.#maxPixels = init.maxPixels;
    this.#decoder = init.decoder;
    this.#concurrency = init.concurrency;
    this.#pool = init.pool;
  }

  /**
   * Loads a classifier model (a path in Node, a URL in browsers, bytes, or a decoded Model) on `device`.
   * Labels and the preprocessing spec come from the model's metadata unless given. Bad options throw a
   * TypeError/RangeError naming them; a model without a preprocessing spec loads, but its images fail
   * with a message saying how to give one.
   *
 * @example
 * ```ts
 * const clf = await Classifier.load('mnist-cnn', { device: 'cpu' });
 * const { label, probability, top } = await clf.classify('digit.png', { topK: 3 });
 * await clf.dispose();
 * ```
 */
  static async load(model: ClassifierModel, options: ClassifierOptions = {}): Promise<Classifier> {
    if (options === null || typeof options !== 'object') throw new TypeError('Classifier.load: options must be an object');
    const { labels, preprocessing, batchSize, input, output, scores, maxPixels, decoder, concurrency, pool, ...sessionOptions } = options;
    const batch = positiveInt('Classifier.load', 'batchSize', batchSize, DEFAULT_BATCH);
    const pixels = positiveInt('Classifier.load', 'maxPixels', maxPixels, DEFAULT_MAX_PIXELS);
    const imagePool = pool === undefined ? undefined : checkImagePool(pool, 'Classifier.load');
    const parallel = positiveInt('Classifier.load', 'concurrency', concurrency, imagePool?.concurrency ?? 4);
    if (scores !== undefined && !['probabilities', 'logits', 'auto'].includes(scores)) {
      throw new RangeError(`Classifier.load: 'scores' must be 'probabilities', 'logits' or 'auto', got '${String(scores)}'`);
    }
    if (decoder !== undefined && (decoder === null || typeof decoder.decode !== 'function')) {
      throw new TypeError('Classifier.load: decoder must be an ImageDecoder (an object with decode(input, options))');
    }
    const given = labels === undefined ? undefined : checkLabels(labels, 'Classifier.load: labels');

    const { bytes, metadata, name } = await modelBytesAndMetadata(model, checkModelLoadOptions('Classifier.load', sessionOptions.load));
    const stored = getPreprocessingSpec(metadata);
    const session = await startSession(bytes, imagePool ? pooledSessionOptions(sessionOptions) : sessionOptions, name);
    try {
      const inputSpec = pick(session.inputs, input, 'input');
      const outputSpec = pick(session.outputs, output, 'output');
      if (inputSpec.dtype !== 'float32') {
        throw new TypeError(`Classifier.load: input '${inputSpec.name}' is ${String(inputSpec.dtype)}; classifiers take float32 images`);
      }
      const shape = inputSpec.shape ?? [];
      const spec = preprocessing !== undefined ? resolvePreprocessingSpec(preprocessing, shape) : stored && resolvePreprocessingSpec(stored, shape);
      const fixed = typeof shape[0] === 'number' ? shape[0] : undefined;
      const classes = staticClasses(outputSpec.shape);
      const names = given ?? getLabels(metadata) ?? (classes ? Array.from({ length: classes }, (_, i) => String(i)) : undefined);
      if (names && classes !== undefined && names.length !== classes) {
        throw new RangeError(`Classifier.load: ${names.length} labels, but output '${outputSpec.name}' has ${classes} classes`);
      }
      return new Classifier(session, {
        labels: names ?? [],
        preprocessing: spec,
        input: inputSpec,
        output: outputSpec,
        batchSize: fixed ?? batch,
        fixedBatch: fixed,
        scores: scores ?? 'auto',
        maxPixels: pixels,
        decoder,
        concurrency: parallel,
        pool: imagePool,
      });
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  /** The device that runs the model. */
  get device(): Device {
    return this.session.device;
  }

  /** Classifies many images in batches; each result says `ok` or carries that image's error. */
  classify(images: readonly ImageInput[], options?: ClassifyOptions): Promise<ClassifyResult[]>;
  /**
   * Classifies a stream of images (an async iterable, e.g. an async generator of paths), yielding results
   * in input order as batches finish; `concurrency` images are decoded at once (in the pool's workers when
   * the classifier has one) and at most two batches are held, so memory stays bounded on any input length.
   * A Node readable stream or web ReadableStream is one image, not a stream of images.
   */
  classify(images: AsyncIterable<ImageInput>, options?: ClassifyStreamOptions): AsyncGenerator<ClassifyResult, void, undefined>;
  /** Classifies one image; an image that cannot be read or preprocessed throws its {@link ImageError}. */
  classify(image: ImageInput, options?: ClassifyOptions): Promise<Classification>;
  classify(
    images: ImageInput | readonly ImageInput[] | AsyncIterable<ImageInput>,
    options: ClassifyStreamOptions = {},
  ): Promise<Classification | ClassifyResult[]> | AsyncGenerator<ClassifyResult, void, undefined> {
    if (isImageStream(images)) {
      const k = positiveInt('classify', 'topK', options?.topK, 1);
      const concurrency = positiveInt('classify', 'concurrency', options.concurrency, this.#concurrency);
      return orderedBatches(images, {
        prepare: (image: ImageInput) => this.#decodeRow(image, describeImage(image)).catch((e: unknown) => asImageError(e, image)),
        finish: async (rows, items) => {
          const out: ClassifyResult[] = new Array(rows.length);
          await this.#classifyChunk(rows, 0, k, items.map(describeImage), out);
          return out;
        },
        batchSize: this.batchSize,
        concurrency,
      });
    }
    return this.#classifyOne(images as ImageInput | readonly ImageInput[], options);
  }

  /** Arrays and single images: bad options reject the promise (as they did before streams). */
  async #classifyOne(images: ImageInput | readonly ImageInput[], options: ClassifyOptions): Promise<Classification | ClassifyResult[]> {
    const k = positiveInt('classify', 'topK', options?.topK, 1);
    if (!Array.isArray(images)) {
      const [result] = await this.#classifyAll([images as ImageInput], k);
      if (!result.ok) throw result.error;
      return result;
    }
    return this.#classifyAll(images, k);
  }

  /**
   * Classifies images already preprocessed into the model's layout: `data` holds `count` images of
   * height·width·channels values each (e.g. a dataset's tensors).
   */
  async classifyTensor(data: Float32Array, count: number, options: ClassifyOptions = {}): Promise<Classification[]> {
    if (!(data instanceof Float32Array)) throw new TypeError('classifyTensor: data must be a Float32Array');
    positiveInt('classifyTensor', 'count', count, 1);
    const k = positiveInt('classifyTensor', 'topK', options.topK, 1);
    if (data.length % count !== 0) throw new RangeError(`classifyTensor: ${data.length} values do not split into ${count} images`);
    const per = data.length / count;
    const out: Classification[] = [];
    for (let start = 0; start < count; start += this.batchSize) {
      const n = Math.min(this.batchSize, count - start);
      const rows = await this.#run(data.subarray(start * per, (start + n) * per), n, per);
      for (let i = 0; i < n; i++) out.push(this.#result(rows, i, k, `tensor ${start + i}`));
    }
    return out;
  }

  /** One image as the model sees it (height·width·channels values in the spec's layout and scale). */
  async preprocess(image: ImageInput): Promise<Float32Array> {
    const spec = this.#spec(describeImage(image));
    const raw = await this.#decode(image);
    const out = new Float32Array(valuesPerImage(spec));
    preprocessInto(raw, spec, out, 0, describeImage(image), this.#maxPixels);
    return out;
  }

  /** Frees the model's session. Safe to call twice. */
  async dispose(): Promise<void> {
    await this.session.release();
  }

  async #classifyAll(images: readonly ImageInput[], k: number): Promise<ClassifyResult[]> {
    const results: ClassifyResult[] = new Array(images.length);
    const sources = images.map(describeImage);
    const chunks: number[] = [];
    for (let s = 0; s < images.length; s += this.batchSize) chunks.push(s);
    // Decode the next chunk while the current one runs: decoding (I/O, sharp's threads) and inference overlap.
    let next = chunks.length ? this.#decodeChunk(images, chunks[0], sources) : undefined;
    for (let c = 0; c < chunks.length; c++) {
      const decoded = await next!;
      next = c + 1 < chunks.length ? this.#decodeChunk(images, chunks[c + 1], sources) : undefined;
      await this.#classifyChunk(decoded, chunks[c], k, sources, results);
    }
    return results;
  }

  /**
   * Decodes and preprocesses one chunk, each image straight into its model-sized row, so a full-size
   * decoded image lives only while it is preprocessed: at most `concurrency` of them exist at once, across
   * this chunk and the one being classified (a batch of huge images no longer holds them all).
   */
  async #decodeChunk(images: readonly ImageInput[], start: number, sources: readonly string[]): Promise<(Float32Array | ImageError)[]> {
    const end = Math.min(images.length, start + this.batchSize);
    const out: (Float32Array | ImageError)[] = new Array(end - start);
    let cursor = start;
    const worker = async () => {
      while (cursor < end) {
        const i = cursor++;
        out[i - start] = await this.#decodeRow(images[i], sources[i]).catch((e: unknown) => asImageError(e, images[i]));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, end - start) }, worker));
    return out;
  }

  async #decodeRow(image: ImageInput, source: string): Promise<Float32Array> {
    if (this.#pool) return this.#pool.preprocess(image, this.#spec(source), { maxPixels: this.#maxPixels });
    const raw = await this.#decode(image);
    const row = new Float32Array(valuesPerImage(this.preprocessing!));
    preprocessInto(raw, this.preprocessing!, row, 0, source, this.#maxPixels);
    return row;
  }

  async #classifyChunk(
    decoded: (Float32Array | ImageError)[],
    start: number,
    k: number,
    sources: readonly string[],
    results: ClassifyResult[],
  ): Promise<void> {
    const per = this.preprocessing ? valuesPerImage(this.preprocessing) : 0;
    const batch = new Float32Array(decoded.length * per);
    const slots: number[] = [];
    decoded.forEach((item, j) => {
      if (item instanceof ImageError) {
        results[start + j] = { ok: false, source: sources[start + j], error: item };
        return;
      }
      batch.set(item, slots.length * per);
      slots.push(j);
    });
    if (slots.length === 0) return;
    const rows = await this.#run(batch.subarray(0, slots.length * per), slots.length, per);
    slots.forEach((j, r) => {
      results[start + j] = this.#result(rows, r, k, sources[start + j]);
    });
  }

  async #decode(image: ImageInput): Promise<RawImage> {
    const source = describeImage(image);
    this.#spec(source);
    if (isRawImage(image)) return image;
    const decoder = this.#decoder ?? getImageDecoder();
    return decoder.decode(image, { maxPixels: this.#maxPixels });
  }

  #spec(source: string): PreprocessingSpec {
    if (this.preprocessing) return this.preprocessing;
    throw new ImageError(
      'no-preprocessing',
      source,
      `the model has no preprocessing spec (metadata '${PREPROCESSING_KEY}'), so images cannot be turned into its input ` +
        `${formatSpecs([this.input]).trim()}: pass { preprocessing: 'mnist' } (or 'resize', or a spec object) to Classifier.load ` +
        `(CLI: --preprocess mnist), or store a spec in the model with setPreprocessingSpec(model, spec)`,
    );
  }

  /** Runs `n` images (`per` values each) and returns the score rows. */
  async #run(data: Float32Array, n: number, per: number): Promise<{ scores: Float32Array; classes: number }> {
    const fixed = this.#fixedBatch;
    const rest = inputDims(this.input.shape, per, this.preprocessing);
    if (fixed !== undefined && n !== fixed) {
      // A fixed-batch model (e.g. mnist-8 takes exactly 1): run padded chunks of its size.
      const parts: Float32Array[] = [];
      let classes = 0;
      for (let s = 0; s < n; s += fixed) {
        const chunk = new Float32Array(fixed * per);
        chunk.set(data.subarray(s * per, Math.min(n, s + fixed) * per));
        const r = await this.#run(chunk, fixed, per);
        classes = r.classes;
        parts.push(r.scores.subarray(0, Math.min(fixed, n - s) * classes));
      }
      const scores = new Float32Array(n * classes);
      parts.forEach((p, i) => scores.set(p, i * fixed * classes));
      return { scores, classes };
    }
    const out = await this.session.run({ [this.input.name]: { data, dims: [n, ...rest], dtype: 'float32' as DataType } }, { outputs: [this.output.name] });
    const y = out[this.output.name];
    const scores = (await y.getData()) as Float32Array;
    const classes = scores.length / n;
    if (this.labels.length > 0 && this.labels.length !== classes) {
      throw new RangeError(`classify: ${this.labels.length} labels, but output '${this.output.name}' gives ${classes} scores per image`);
    }
    return { scores, classes };
  }

  #result(rows: { scores: Float32Array; classes: number }, r: number, k: number, source: string): Classification {
    const labels = this.labels.length ? this.labels : Array.from({ length: rows.classes }, (_, i) => String(i));
    for (let j = r * rows.classes; j < (r + 1) * rows.classes; j++) {
      if (!Number.isFinite(rows.scores[j])) {
        // Softmax would turn these into "0 NaN%" results; the model itself is broken.
        throw new RangeError(
          `classify: the model gave a non-finite score (${rows.scores[j]}) for ${source}; its weights are probably NaN or Inf (e.g. trained with a diverging learning rate)`,
        );
      }
    }
    const p = rowProbabilities(rows.scores, r * rows.classes, rows.classes, this.#scores);
    const top = topK(p, k, labels);
    return { ok: true, source, label: top[0].label, index: top[0].index, probability: top[0].probability, top };
  }
}

interface ClassifierInit {
  labels: readonly string[];
  preprocessing: PreprocessingSpec | undefined;
  input: TensorSpec;
  output: TensorSpec;
  batchSize: number;
  fixedBatch: number | undefined;
  scores: ScoreKind;
  maxPixels: number;
  decoder: ImageDecoder | undefined;
  concurrency: number;
  pool: ImagePool | undefined;
}

function asImageError(e: unknown, image: unknown): ImageError {
  if (e instanceof ImageError) return e;
  const source = typeof image === 'string' ? image : describeImage(image);
  return new ImageError('not-an-image', source, e instanceof Error ? e.message : String(e), { cause: e });
}

import {
  argmax,
  classificationReport,
  createSession,
  imagesToFeed,
  type ClassificationReport,
  type DeviceFailure,
  type DeviceOption,
  type ImageDataset,
  type Session,
} from '@onnxkit/core';
import { openModelFile, type IdxSplit } from '@onnxkit/node';
import { CliUsageError } from '../errors.js';
import { imageFolderSource, specOf, loadDataSource, type DataDescription } from './data-source.js';
import { predictFolder } from './evaluate-folder.js';
import { imageInputSpec } from './input-spec.js';
import { modelLabels, pickLabels } from './model-metadata.js';

/** What `onnxkit eval` prints (`--json` prints exactly this). */
export interface EvalReport extends ClassificationReport {
  /** The model file as given. */
  model: string;
  data: DataDescription;
  device: string;
  fallbacks: DeviceFailure[];
  /** Seconds spent running the model (for an image folder, decoding it too: the two overlap). */
  seconds: number;
  /** The confusion matrix picture, when `--plot` asked for one. */
  plot?: string;
}

/** Options of {@link evaluateModel}. */
export interface EvaluateOptions {
  data: string;
  split?: IdxSplit;
  device: DeviceOption;
  batchSize: number;
  labels?: string[];
}

/**
 * Runs a classifier over a labelled dataset with an inference session and scores it: accuracy,
 * per-class precision/recall/F1 and the confusion matrix. A model with a fixed batch size (e.g.
 * mnist-8's 1) is fed batches of that size.
 */
export async function evaluateModel(modelPath: string, options: EvaluateOptions): Promise<Omit<EvalReport, 'plot'>> {
  const file = await openModelFile(modelPath);
  const input = imageInputSpec(file.model);
  const known = modelLabels(file.model);
  const folder = await imageFolderSource(options.data, { ...(options.split ? { split: options.split } : {}), ...(known ? { classNames: known } : {}) });
  if (folder) {
    // A folder of photos streams through the decoding pool: memory holds two class numbers per image.
    const batchSize = input.fixedBatch ?? options.batchSize;
    const run = await predictFolder(file.bytes, { source: options.data, ...folder }, input, { device: options.device, batchSize, modelHasSpec: specOf(file.model).preprocessing !== undefined });
    const description: DataDescription = { source: folder.dir, kind: 'image-folder', examples: run.truth.length, classes: run.classNames.length };
    return scored(modelPath, options, known, { ...run, data: { classes: run.classNames.length, classNames: run.classNames }, description });
  }
  const { dataset, description } = await loadDataSource(options.data, {
    ...(options.split ? { split: options.split } : {}),
    prefer: 'test',
    input,
    ...(known ? { classNames: known } : {}),
    ...specOf(file.model),
  });
  const session = await createSession(file.bytes, { device: options.device });
  try {
    const batchSize = input.fixedBatch ?? options.batchSize;
    const started = Date.now();
    const { predicted, classes } = await predictAll(session, input.name, dataset, batchSize);
    const seconds = (Date.now() - started) / 1000;
    return scored(modelPath, options, known, { truth: dataset.labels, predicted, classes, data: dataset, description, session, seconds });
  } finally {
    await session.release();
  }
}

/** What {@link scored} scores: each example's true and predicted class, and the run that predicted them. */
interface Predictions {
  truth: Int32Array;
  predicted: Int32Array;
  /** Classes the model outputs. */
  classes: number;
  data: { classes: number; classNames?: readonly string[] };
  description: DataDescription;
  session: Pick<Session, 'device' | 'fallbacks'>;
  seconds: number;
}

/** The report of `p`; a model with fewer classes than the data, or `--labels` of another length, is a usage error. */
function scored(
  modelPath: string,
  options: EvaluateOptions,
  known: readonly string[] | undefined,
  p: Predictions,
): Omit<EvalReport, 'plot'> {
  const { classes } = p;
  if (p.data.classes > classes) {
    throw new CliUsageError(`--data '${options.data}' has ${p.data.classes} classes but the model outputs ${classes}`);
  }
  if (options.labels && options.labels.length !== classes) throw new CliUsageError(`--labels has ${options.labels.length} names but the model outputs ${classes} classes`);
  const labels = pickLabels(classes, options.labels, known, p.data.classNames);
  const report = classificationReport(p.truth, p.predicted, labels);
  return { model: modelPath, data: p.description, device: p.session.device, fallbacks: [...p.session.fallbacks], seconds: p.seconds, ...report };
}

async function predictAll(
  session: Awaited<ReturnType<typeof createSession>>,
  inputName: string,
  data: ImageDataset,
  batchSize: number,
): Promise<{ predicted: Int32Array; classes: number }> {
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const spec = session.inputs.find((s) => s.name === inputName)!;
  const feedOf = { dataInputs: [{ name: inputName, dtype: 'float32' as const, shape: spec.shape ?? [] }] };
  const output = session.outputs[0].name;
  const predicted = new Int32Array(data.count);
  let classes = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const n = Math.min(batchSize, data.count - start);
    let images = data.images.subarray(start * size, (start + n) * size);
    if (n < batchSize && batchSize === spec.shape?.[0]) {
      // A fixed-batch model takes only full batches: pad the last one with zeros.
      const padded = new Float32Array(batchSize * size);
      padded.set(images);
      images = padded;
    }
    const feeds = imagesToFeed(feedOf, images, images.length / size, data.shape);
    const out = (await session.run(feeds))[output];
    const dims = out.dims;
    classes = dims[dims.length - 1];
    if (dims.length !== 2) throw new CliUsageError(`the model's output '${output}' has dims [${dims.join(', ')}]; eval needs class scores [N, classes]`);
    const scores = out.data as Float32Array;
    for (let i = 0; i < n; i++) predicted[start + i] = argmax(scores, i * classes, classes);
  }
  return { predicted, classes };
}

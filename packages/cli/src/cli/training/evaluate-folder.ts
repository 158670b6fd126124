import { availableParallelism } from 'node:os';
import { Classifier, type ClassifyResult, type DeviceOption, type Session } from '@onnxkit/core';
import { createImagePool, listImageFolder, nodeImageDecoder } from '@onnxkit/node';
import { CliUsageError } from '../errors.js';
import type { ImageInputSpec } from './input-spec.js';

/** Images per decoding worker from which the workers are warmed up first (as `onnxkit classify` does). */
const WARM_UP_MIN_PER_WORKER = 50;

/** What {@link predictFolder} gives: each image's true and predicted class, and the run. */
export interface FolderPredictions {
  truth: Int32Array;
  predicted: Int32Array;
  /** Classes the model outputs. */
  classes: number;
  classNames: string[];
  /** The session that ran (device, fallbacks). */
  session: Pick<Session, 'device' | 'fallbacks'>;
  /** Seconds from the first image to the last prediction (decoding and inference overlap). */
  seconds: number;
}

/**
 * Predicts every image of a labelled folder `<dir>/<label>/*` as a stream: decoded and preprocessed in a
 * pool of worker threads, run in batches, and only the two class numbers per image kept, so memory is
 * bounded on any folder (a dataset of the whole folder's rows is never built). Images are prepared as
 * `loadImageFolder` prepares them: with the model's spec, or else stretched to its input, 0..1.
 */
export async function predictFolder(
  model: Uint8Array,
  folder: { source: string; dir: string; classNames?: readonly string[] },
  input: ImageInputSpec,
  options: { device: DeviceOption; batchSize: number; modelHasSpec: boolean },
): Promise<FolderPredictions> {
  const listing = await listImageFolder(folder.dir, folder.classNames).catch((err: unknown) => {
    throw new CliUsageError(`--data '${folder.source}': ${(err as Error).message.replace(/^loadImageFolder: /, '')}`);
  });
  const { files } = listing;
  const pool = createImagePool({ workers: Math.min(availableParallelism(), files.length) });
  try {
    const clf = await Classifier.load(model, {
      device: options.device,
      decoder: nodeImageDecoder,
      pool,
      batchSize: input.fixedBatch ?? options.batchSize,
      // The model's own spec when it has one (the classifier reads it); else what loadImageFolder does.
      ...(options.modelHasSpec
        ? {}
        : { preprocessing: { procedure: 'resize', fit: 'stretch', polarity: 'any', scale: [0, 1], layout: input.layout, height: input.height, width: input.width, channels: input.channels === 3 ? 3 : 1 } as const }),
    });
    try {
      if (files.length >= WARM_UP_MIN_PER_WORKER * pool.workers) await pool.warmUp(clf.preprocessing!);
      const started = performance.now();
      const predicted = new Int32Array(files.length);
      let i = 0;
      for await (const r of clf.classify(names(files), {}) as AsyncGenerator<ClassifyResult>) {
        if (!r.ok) throw new CliUsageError(`--data '${folder.source}': cannot decode image '${r.source}': ${r.error.message}`);
        predicted[i++] = r.index;
      }
      const dims = clf.output.shape;
      const last = dims?.[dims.length - 1];
      return {
        truth: Int32Array.from(files, (f) => f.label),
        predicted,
        classes: typeof last === 'number' ? last : clf.labels.length,
        classNames: listing.classNames,
        session: clf.session,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      await clf.dispose();
    }
  } finally {
    await pool.close();
  }
}

async function* names(files: readonly { file: string }[]): AsyncGenerator<string> {
  for (const f of files) yield f.file;
}

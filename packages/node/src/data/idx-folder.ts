import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DataFormatError, datasetFromIdx, parseIdx, type ImageDataset } from '@onnxkit/core';
import { fileLimit } from '../io/limits.js';
import { readUntrustedFileSync } from '../io/read-untrusted.js';

/** Which split of an IDX folder to read. */
export type IdxSplit = 'train' | 'test';

const PATTERNS: Record<IdxSplit, { images: RegExp; labels: RegExp }> = {
  train: { images: /^train-images[.-]idx3-ubyte(\.gz)?$/, labels: /^train-labels[.-]idx1-ubyte(\.gz)?$/ },
  test: { images: /^t10k-images[.-]idx3-ubyte(\.gz)?$/, labels: /^t10k-labels[.-]idx1-ubyte(\.gz)?$/ },
};

/** The splits present in an MNIST-layout IDX folder. */
export function idxSplits(dir: string): IdxSplit[] {
  const files = readdirSync(dir);
  return (Object.keys(PATTERNS) as IdxSplit[]).filter(
    (s) => files.some((f) => PATTERNS[s].images.test(f)) && files.some((f) => PATTERNS[s].labels.test(f)),
  );
}

/**
 * Reads one split of a folder in the MNIST layout (`train-images-idx3-ubyte[.gz]`,
 * `t10k-labels-idx1-ubyte[.gz]`, …), as Fashion-MNIST and notMNIST ship.
 */
export function loadIdxFolder(dir: string, split: IdxSplit, classNames?: string[]): ImageDataset {
  const files = readdirSync(dir);
  const find = (re: RegExp, what: string) => {
    const f = files.find((name) => re.test(name));
    if (!f) throw new RangeError(`loadIdxFolder: no ${split} ${what} file in ${dir} (expected e.g. ${split === 'train' ? 'train' : 't10k'}-${what}-idx*-ubyte.gz)`);
    return path.join(dir, f);
  };
  // Regular files only, capped before and after inflating (ONNXKIT_MAX_IDX_BYTES, ONNXKIT_MAX_IDX_INFLATED_BYTES).
  const read = (file: string) => {
    try {
      return parseIdx(readUntrustedFileSync(file, { kind: 'idx', what: 'IDX file' }), { maxInflatedBytes: fileLimit('idxInflated') });
    } catch (err) {
      if (err instanceof DataFormatError) throw new DataFormatError(err.code, `${file}: ${err.message}`, { cause: err });
      throw err;
    }
  };
  const images = read(find(PATTERNS[split].images, 'images'));
  const labels = read(find(PATTERNS[split].labels, 'labels'));
  return datasetFromIdx(images, labels, classNames);
}

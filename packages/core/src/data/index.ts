export { Random } from './random.js';
export { DEFAULT_MAX_IDX_INFLATED_BYTES, parseIdx, isGzip, type IdxArray, type ParseIdxOptions } from './idx.js';
export {
  datasetFromIdx,
  selectExamples,
  permutation,
  splitDataset,
  takePerClass,
  oneHot,
  type ImageDataset,
  type RandomSource,
} from './dataset.js';
export { batches, batchCount, type Batch, type BatchOptions } from './batches.js';
export { augmentImages, type AugmentOptions } from './augment.js';

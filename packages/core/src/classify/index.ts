export { argmax, classificationReport, formatReport, type ClassificationReport, type ClassMetrics } from './metrics.js';
export {
  CARD_KEY,
  LABELS_KEY,
  PREPROCESSING_KEY,
  PREPROCESSING_PRESETS,
  checkPreprocessingSpec,
  parsePreprocessingSpec,
  stringifyPreprocessingSpec,
  type PartialPreprocessingSpec,
  type PixelScale,
  type PreprocessingSpec,
} from './metadata/preprocessing-spec.js';
export { resolvePreprocessingSpec, type PreprocessingOption } from './metadata/resolve-spec.js';
export { getLabels, getPreprocessingSpec, readMetadataProps, setLabels, setPreprocessingSpec } from './metadata/model-metadata.js';
export { ImageError, type ImageErrorCode } from './image/image-error.js';
export { checkPixelCount, checkRawImage, DEFAULT_MAX_PIXELS, describeImage, isRawImage, type RawImage } from './image/raw-image.js';
export {
  getImageDecoder,
  hasImageDecoder,
  registerImageDecoder,
  type ImageDecodeOptions,
  type ImageDecoder,
  type ImageInput,
} from './image/decoder-registry.js';
export { preprocessImages, preprocessInto, valuesPerImage } from './preprocess/preprocess.js';
export { Classifier, type Classification, type ClassificationFailure, type ClassifyResult } from './classifier/classifier.js';
export type { ClassifierModel } from './classifier/load-model.js';
export type { ClassifierOptions, ClassifyOptions, ClassifyStreamOptions } from './classifier/options.js';
export { checkImagePool, type ImagePool } from './pool/image-pool.js';
export { orderedBatches, type OrderedBatchStages } from './pool/ordered-stream.js';
export { rowProbabilities, topK, type Prediction, type ScoreKind } from './classifier/scores.js';

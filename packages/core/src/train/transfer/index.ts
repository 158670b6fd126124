export { findHead, type ClassifierHead, type HeadWeight } from './find-head.js';
export { replaceHead, headParameters, type ReplaceHeadOptions, type ReplacedHead } from './replace-head.js';
export { splitAtHead, mergeHead, FEATURES, type SplitModel } from './split-head.js';
export { embedExamples, embeddingDataset, MemoryEmbeddingStore, type EmbeddingStore, type EmbedOptions, type Embeddings } from './embeddings.js';
export { headOnFeatures, type HeadOnFeaturesOptions } from './head-on-features.js';

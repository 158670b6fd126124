export { DiskEmbeddingStore } from './disk-embedding-store.js';
export { backboneKey, embedImageFolder, embedDataset, type EmbedDataOptions, type EmbeddedData } from './embed-data.js';

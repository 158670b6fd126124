export { defaultModelCacheDir } from './cache-dir.js';
export { ModelDownloadError, type ModelDownloadErrorCode } from './download-error.js';
export { downloadModel, isHttpUrl } from './download-model.js';
export { loadModelSource, shippedModelPath } from './model-source.js';
export { MODEL_NAMES, type ModelName } from '@onnxkit/models';

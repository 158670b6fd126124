import { registerImageDecoder, registerRuntime } from '@onnxkit/core';
import { nodeImageDecoder } from './image/index.js';
import { nodeRuntime } from './runtime/index.js';

export * from '@onnxkit/core';
export * from './runtime/index.js';
export * from './io/index.js';
export * from './data/index.js';
export * from './image/index.js';
export * from './transfer/index.js';
export * from './federated/index.js';
export { createImagePool, type ImagePoolOptions, type NodeImagePool } from './pool/image-pool.js';
export { createProgressBar, type ProgressBar, type ProgressBarOptions } from './progress/progress-bar.js';

// Importing @onnxkit/node is enough to run sessions and classify image files, as importing
// onnxruntime-node registers its backend.
registerRuntime(nodeRuntime);
registerImageDecoder(nodeImageDecoder);

/**
 * onnxkit for Node.js: onnxruntime-node (CUDA, WebGPU, CPU), model files, shipped models by name, models
 * from URLs, image files (sharp). Re-exports `@onnxkit/core`.
 *
 * @packageDocumentation
 * @module @onnxkit/node
 */
import { registerImageDecoder, registerRuntime } from '@onnxkit/core';
import { nodeImageDecoder } from './image/index.js';
import { nodeRuntime } from './runtime/index.js';

export * from '@onnxkit/core';
export * from './runtime/index.js';
export * from './io/index.js';
export * from './load/index.js';
export * from './data/index.js';
export * from './image/index.js';
export * from './transfer/index.js';
export { createImagePool, type ImagePoolOptions, type NodeImagePool } from './pool/image-pool.js';
export { openJsonlOutput, type JsonlOutput } from './classify/jsonl-output.js';
export { toFileResult, type ClassifyFileResult } from './classify/file-result.js';

// Importing @onnxkit/node is enough to run sessions and classify image files, as importing
// onnxruntime-node registers its backend.
registerRuntime(nodeRuntime);
registerImageDecoder(nodeImageDecoder);

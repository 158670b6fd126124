import { registerRuntime } from '@onnxkit/core';
import { nodeRuntime } from './runtime/index.js';

export * from '@onnxkit/core';
export * from './runtime/index.js';
export * from './io/index.js';
export * from './data/index.js';
export { createProgressBar, type ProgressBar, type ProgressBarOptions } from './progress/progress-bar.js';

// Importing @onnxkit/node is enough to run sessions, as importing onnxruntime-node registers its backend.
registerRuntime(nodeRuntime);

import { registerRuntime } from '@onnxkit/core';
import { webRuntime } from './web-runtime.js';

export * from '@onnxkit/core';
export { configureWeb, type WebRuntimeOptions } from './configure-web.js';
export { fetchModel } from './fetch-model.js';
export { webRuntime } from './web-runtime.js';

// Importing @onnxkit/web is enough to run sessions, as importing onnxruntime-web registers its backends.
registerRuntime(webRuntime);

// The browser helpers both builds export. The entry files add core (`export * from '@onnxkit/core'` must
// stand in the entry itself: nested in a bundled module, esbuild turns it into a runtime copy that
// bundlers importing the dist cannot see) and their runtime.
export { configureWeb, type WebRuntimeOptions } from './configure-web.js';
export { fetchModel } from './load/fetch-model.js';
export { readModelFile } from './load/read-model-file.js';
export type { LoadOptions, LoadProgress } from './load/progress.js';
export { createWebRuntime, runQueue, sessionQueue } from './runtime/create-web-runtime.js';
export { SerialQueue } from './runtime/serial-queue.js';
export type { OrtWebModule, WebBuild } from './runtime/ort-web-module.js';
export * from './storage/index.js';
export { exportModelBytes } from './model/export-model.js';
export { downloadBytes } from './model/download-bytes.js';

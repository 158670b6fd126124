// Everything both builds export: core plus the browser helpers. The entry files add their runtime.
export * from '@onnxkit/core';
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

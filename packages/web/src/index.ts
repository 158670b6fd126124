/**
 * onnxkit for browsers: onnxruntime-web (WebGPU, WASM fallback), fetch with progress, browser storage.
 * Re-exports `@onnxkit/core`.
 *
 * @packageDocumentation
 * @module @onnxkit/web
 */
import { registerWebPlatform } from './register.js';
import { webRuntime } from './runtime/webgpu-runtime.js';

export * from '@onnxkit/core';
export * from './api.js';
export { webRuntime } from './runtime/webgpu-runtime.js';

// Importing @onnxkit/web is enough to run sessions, as importing onnxruntime-web registers its backends.
registerWebPlatform(webRuntime);

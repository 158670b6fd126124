/**
 * `@onnxkit/web/wasm`: the same API on onnxruntime-web's WASM-only build — a smaller download for pages
 * that never use WebGPU. `device: 'webgpu'` fails here with a message pointing at `@onnxkit/web`.
 */
import { registerWebPlatform } from './register.js';
import { wasmRuntime } from './runtime/wasm-runtime.js';

export * from '@onnxkit/core';
export * from './api.js';
export { wasmRuntime } from './runtime/wasm-runtime.js';

registerWebPlatform(wasmRuntime);

import * as ort from 'onnxruntime-web/webgpu';
import { createWebRuntime } from './create-web-runtime.js';

/** The onnxruntime-web runtime of the WebGPU build (devices `webgpu` and `wasm`). */
export const webRuntime = createWebRuntime(ort, 'webgpu');

import * as ort from 'onnxruntime-web/wasm';
import { createWebRuntime } from './create-web-runtime.js';

/** The onnxruntime-web runtime of the WASM-only build (device `wasm`; a smaller download, no WebGPU). */
export const wasmRuntime = createWebRuntime(ort, 'wasm');

import type { Env, InferenceSession, Tensor } from 'onnxruntime-common';

/**
 * The parts of an onnxruntime-web build (`onnxruntime-web/webgpu`, `onnxruntime-web/wasm`) a web runtime
 * uses. Each build bundles its own onnxruntime-common, so these come from the build, never from a shared copy.
 */
export interface OrtWebModule {
  readonly env: Env;
  readonly InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  readonly Tensor: new (type: Tensor.Type, data: Tensor.DataType, dims?: readonly number[]) => Tensor;
}

/** Which onnxruntime-web build a runtime wraps: WebGPU (+ WASM) or WASM only. */
export type WebBuild = 'webgpu' | 'wasm';

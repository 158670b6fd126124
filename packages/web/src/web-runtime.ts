import type { OrtDataType, OrtSessionOptions, Runtime, TensorArray } from '@onnxkit/core';
import * as ort from 'onnxruntime-web/webgpu';
import { markWebRuntimeStarted } from './configure-web.js';
import { fetchModel } from './fetch-model.js';

/** The onnxruntime-web runtime (WebGPU bundle): devices `webgpu` and `wasm`, models from URLs. */
export const webRuntime: Runtime = Object.freeze({
  platform: 'web',
  name: `onnxruntime-web ${ort.env.versions.web ?? ort.env.versions.common}`,
  env: ort.env,
  createSession: (model: Uint8Array, options: OrtSessionOptions) => {
    markWebRuntimeStarted();
    return ort.InferenceSession.create(model, options);
  },
  createTensor: (dtype: OrtDataType, data: TensorArray, dims: readonly number[]) =>
    // The overloads of the Tensor constructor cannot be picked from a union type; the runtime checks pairs.
    new ort.Tensor(dtype, data as ort.Tensor.DataType, dims),
  loadModel: (url: string) => fetchModel(url),
  explainFailure: (device) =>
    device === 'webgpu' && typeof navigator !== 'undefined' && !('gpu' in navigator)
      ? 'this browser exposes no navigator.gpu'
      : undefined,
} satisfies Runtime);

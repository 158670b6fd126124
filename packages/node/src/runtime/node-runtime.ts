import { DEVICES, type OrtDataType, type OrtSessionOptions, type Runtime, type TensorArray } from '@onnxkit/core';
import * as ort from 'onnxruntime-node';
import { withDownloadableOutputs } from './gpu-buffer-download.js';
import { explainCudaFailure } from './ort-binary-dir.js';
import { availableParallelism } from 'node:os';
import { readModelFile } from './read-model-file.js';
import { createWorkerSession } from './worker-session.js';
import { explainWebGpuFailure, probeWebGpuAdapter } from './webgpu-adapter.js';

// ORT's native logger prints an error line to stderr for every device that fails to start, even when
// onnxkit falls back as asked; the failure is reported through `session.fallbacks` instead. ORT reads
// this level when its first session starts, so `ort.env.logLevel` set by the app before then still wins,
// and ONNXKIT_DEBUG=1 keeps ORT's default.
if (process.env.ONNXKIT_DEBUG !== '1') ort.env.logLevel = 'fatal';

/** The onnxruntime-node runtime: devices `cuda`, `webgpu` (ORT's bundled Dawn) and `cpu`, models from file paths. */
export const nodeRuntime: Runtime = Object.freeze({
  platform: 'node',
  name: `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common}`,
  env: ort.env,
  createSession: async (model: Uint8Array, options: OrtSessionOptions) => {
    const session = await ort.InferenceSession.create(model, options);
    return options.preferredOutputLocation === undefined ? session : withDownloadableOutputs(session);
  },
  createTensor: (dtype: OrtDataType, data: TensorArray, dims: readonly number[]) =>
    // The overloads of the Tensor constructor cannot be picked from a union type; the runtime checks pairs.
    new ort.Tensor(dtype, data as ort.Tensor.DataType, dims),
  loadModel: readModelFile,
  explainFailure: (device, error) =>
    device === 'cuda' ? explainCudaFailure() : device === 'webgpu' ? explainWebGpuFailure(error) : undefined,
  // Only a device that may be a software renderer has an adapter worth asking about (the device table).
  probeAdapter: async (device) => (DEVICES[device].maybeSoftware ? probeWebGpuAdapter() : undefined),
  createWorkerSession,
  hardwareConcurrency: availableParallelism(),
} satisfies Runtime);

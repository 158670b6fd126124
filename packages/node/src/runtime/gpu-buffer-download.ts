import type { DataType } from '@onnxkit/core';
import * as ort from 'onnxruntime-node';
import { identityModel } from './identity-model.js';

type GpuDataType = ort.Tensor.GpuBufferDataTypes;

const copiers = new Map<string, Promise<ort.InferenceSession>>();

/**
 * Makes the `gpu-buffer` outputs of `session` downloadable. onnxruntime-node 1.30 hands WebGPU outputs to
 * JS as tensors whose `getData()` throws a C++ exception from its `download` callback, which aborts the
 * whole process; feeding them back as inputs works. Each such output is re-wrapped with the same device
 * buffer, the same disposal, and a download that runs an `Identity` session on WebGPU with a CPU output
 * (sessions in one process share ORT's WebGPU device, so the buffer is valid there).
 */
export function withDownloadableOutputs(session: ort.InferenceSession): ort.InferenceSession {
  const run = session.run.bind(session) as (...args: unknown[]) => Promise<ort.InferenceSession.ReturnType>;
  const patched = async (...args: unknown[]): Promise<ort.InferenceSession.ReturnType> => {
    const out = await run(...args);
    return Object.fromEntries(
      Object.entries(out).map(([name, value]) => [name, value.location === 'gpu-buffer' ? downloadable(value) : value]),
    );
  };
  session.run = patched as ort.InferenceSession['run'];
  return session;
}

function downloadable(tensor: ort.Tensor): ort.Tensor {
  // In Node `gpuBuffer` is an opaque handle to ORT's own value, not a browser GPUBuffer.
  return ort.Tensor.fromGpuBuffer(tensor.gpuBuffer, {
    dataType: tensor.type as GpuDataType,
    dims: tensor.dims,
    download: () => copyToCpu(tensor) as Promise<ort.Tensor.DataTypeMap[GpuDataType]>,
    dispose: () => tensor.dispose(),
  });
}

async function copyToCpu(tensor: ort.Tensor): Promise<ort.Tensor['data']> {
  const session = await copier(tensor.type as DataType);
  const out = await session.run({ [session.inputNames[0]]: tensor });
  return out[session.outputNames[0]].data;
}

function copier(dtype: DataType): Promise<ort.InferenceSession> {
  let session = copiers.get(dtype);
  if (!session) {
    session = ort.InferenceSession.create(identityModel(dtype), { executionProviders: ['webgpu'] });
    // A failed start is not cached, so the next download tries again.
    session.catch(() => copiers.delete(dtype));
    copiers.set(dtype, session);
  }
  return session;
}

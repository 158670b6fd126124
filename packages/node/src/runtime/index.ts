export { nodeRuntime } from './node-runtime.js';
export { readModelFile } from './read-model-file.js';
export { CUDA_PROVIDER_LIBRARIES, explainCudaFailure, ortBinaryDir, ortPackageDir } from './ort-binary-dir.js';
export { adapterFromLoaderLog, probeFromChildLog, probeWebGpuAdapter } from './webgpu-adapter.js';

export { formatAdapter } from './adapter.js';
export type { AdapterInfo, AdapterProbe } from './adapter.js';
export { AUTO_DEVICES, DEVICES, devicesOf, isDevice } from './device.js';
export type { Device, DeviceInfo, DeviceOption, Platform } from './device.js';
export { DeviceUnavailableError } from './device-error.js';
export type { DeviceFailure } from './device-error.js';
export { checkModelLoadOptions, integrityHex } from './model-load-options.js';
export type { ModelLoadOptions, ModelLoadProgress, ModelLoadSignal } from './model-load-options.js';
export type { FeedValue, Feeds, TensorInit } from './feeds.js';
export { OutputTensor } from './output-tensor.js';
export { getRuntime, hasRuntime, registerRuntime } from './registry.js';
export { resolveDevices } from './resolve-devices.js';
export type {
  MovedRun,
  OrtDataType,
  OrtEnv,
  OrtSession,
  OrtSessionOptions,
  OrtTensorLike,
  Runtime,
  TensorArray,
  WorkerOrtSession,
} from './runtime.js';
export { Session, createSession } from './session.js';
export { RunError, stripOrtSourcePaths } from './ort-error.js';
export type { ModelSource, RunOptions, SessionOutputs } from './session.js';
export type { SessionOptions } from './session-options.js';
export { formatSpec, isStaticShape } from './tensor-spec.js';
export type { SpecDim, TensorSpec } from './tensor-spec.js';
export { isOrtTensor } from './tensor-data.js';

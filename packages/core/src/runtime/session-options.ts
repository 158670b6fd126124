import { DEVICES, type Device, type DeviceOption } from './device.js';
import { checkModelLoadOptions, type ModelLoadOptions } from './model-load-options.js';
import type { OrtSessionOptions } from './runtime.js';

/**
 * Options of {@link createSession}: where to run, plus every ONNX Runtime session option except
 * `executionProviders` (the device resolver owns that), passed through unchanged.
 */
export interface SessionOptions extends Omit<OrtSessionOptions, 'executionProviders'> {
  /** Devices to try. @defaultValue `'auto'` (Node: cuda, webgpu on a hardware adapter, cpu; web: webgpu, wasm) */
  device?: DeviceOption;
  /** GPU index for devices that take one (cuda). @defaultValue ORT's default, 0 */
  deviceId?: number;
  /**
   * Extra execution-provider options per device, merged into its provider config,
   * e.g. `{ webgpu: { preferredLayout: 'NHWC' } }`. @defaultValue none
   */
  providerOptions?: { readonly [D in Device]?: Readonly<Record<string, unknown>> };
  /** How a model given as a path, name or URL is read: progress, abort, cache, integrity. @defaultValue none */
  load?: ModelLoadOptions;
}

const OPT_LEVELS = ['disabled', 'basic', 'extended', 'layout', 'all'];

/** Checks the options onnxkit itself interprets or that ORT reports poorly; throws TypeError/RangeError. */
export function checkSessionOptions(options: unknown): SessionOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('createSession: options must be an object');
  }
  const o = options as SessionOptions;
  if ('executionProviders' in o) {
    throw new TypeError("createSession: use options.device (and providerOptions) instead of 'executionProviders'");
  }
  for (const key of ['deviceId', 'intraOpNumThreads', 'interOpNumThreads'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (typeof v !== 'number') throw new TypeError(`createSession: options.${key} must be a number, got ${typeof v}`);
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`createSession: options.${key} must be a non-negative integer, got ${v}`);
    }
  }
  if (o.graphOptimizationLevel !== undefined && !OPT_LEVELS.includes(o.graphOptimizationLevel)) {
    const got = String(o.graphOptimizationLevel);
    throw new RangeError(
      `createSession: options.graphOptimizationLevel must be one of ${OPT_LEVELS.join(', ')}, got '${got}'`,
    );
  }
  if (o.logSeverityLevel !== undefined && ![0, 1, 2, 3, 4].includes(o.logSeverityLevel)) {
    throw new RangeError(`createSession: options.logSeverityLevel must be 0..4, got ${String(o.logSeverityLevel)}`);
  }
  checkModelLoadOptions('createSession', o.load);
  return o;
}

/** ORT session options that run `device` alone, so a failure is attributable to that device. */
export function toOrtOptions(options: SessionOptions, device: Device): OrtSessionOptions {
  const { device: _device, deviceId, providerOptions, load: _load, ...ort } = options;
  const info = DEVICES[device];
  const provider = {
    name: info.provider,
    ...(info.takesDeviceId && deviceId !== undefined ? { deviceId } : {}),
    ...providerOptions?.[device],
  };
  return { ...ort, executionProviders: [provider] };
}

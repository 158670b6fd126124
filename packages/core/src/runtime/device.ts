/** Where a runtime lives: onnxruntime-node in Node, onnxruntime-web in browsers. */
export type Platform = 'node' | 'web';

/** A device onnxkit can run a session on; each maps to one ONNX Runtime execution provider. */
export type Device = 'cpu' | 'cuda' | 'wasm' | 'webgpu';

/**
 * Which devices to try: `'auto'` (the platform's preferred order), one device (strict: no fallback),
 * or an ordered list tried first to last.
 */
export type DeviceOption = 'auto' | Device | readonly Device[];

/** What onnxkit knows about one device. */
export interface DeviceInfo {
  /** The ONNX Runtime execution provider name passed in `executionProviders`. */
  readonly provider: string;
  /** The device's name as people write it (`WebGPU`, `WASM`), for messages and UIs. */
  readonly label: string;
  /** Whether the device is a GPU (what UIs report as accelerated). */
  readonly gpu: boolean;
  /**
   * Whether the provider runs int64 kernels on the device. Where it does not (WebGPU), int64 ops (shape
   * arithmetic, `Less`/`NonZero` on indices, MaxPool's `Indices`) fall back to the CPU with a copy each
   * way, so graphs for it keep int64 work static or out of the step.
   */
  readonly int64OnDevice: boolean;
  /** Platforms whose runtime offers this device. */
  readonly platforms: readonly Platform[];
  /** Whether the provider takes a `deviceId` (GPU index). */
  readonly takesDeviceId: boolean;
  /** What to do when the device fails to start; appended to strict-mode errors. */
  readonly installHint?: string;
  /** Substring of the ORT execution-provider name in its node-placement log lines. */
  readonly logName: string;
  /**
   * Whether session outputs can stay in device memory (`preferredOutputLocation: 'gpu-buffer'`) and be fed
   * back as inputs, as the Trainer does with parameters and optimizer state.
   */
  readonly outputsOnDevice: boolean;
  /**
   * Whether the device can turn out to be a software renderer (the CPU emulating a GPU: SwiftShader,
   * lavapipe), which `'auto'` never picks: the runtime is asked which adapter it would get first.
   */
  readonly maybeSoftware: boolean;
}

/**
 * The one device table. Order inside {@link AUTO_DEVICES} decides preference, not the order here.
 * The CUDA hint names onnxruntime-node's own install switch (see its script/install.js).
 */
export const DEVICES: Readonly<Record<Device, DeviceInfo>> = Object.freeze({
  cpu: Object.freeze({
    provider: 'cpu',
    label: 'CPU',
    gpu: false,
    int64OnDevice: true,
    platforms: Object.freeze(['node'] as const),
    takesDeviceId: false,
    logName: 'CPUExecutionProvider',
    outputsOnDevice: false,
    maybeSoftware: false,
  }),
  cuda: Object.freeze({
    provider: 'cuda',
    label: 'CUDA',
    gpu: true,
    int64OnDevice: true,
    platforms: Object.freeze(['node'] as const),
    takesDeviceId: true,
    logName: 'CUDAExecutionProvider',
    // onnxruntime-node hands GPU-located outputs to JS only for WebGPU buffers.
    outputsOnDevice: false,
    maybeSoftware: false,
    installHint:
      "ONNX Runtime's CUDA provider is not installed or cannot load. Install it with " +
      '`npm install onnxruntime-node --onnxruntime-node-install=cuda12`, or set ONNXRUNTIME_NODE_INSTALL=cuda12 ' +
      "and re-run onnxruntime-node's install script (`npm rebuild onnxruntime-node`). It needs Linux x64, " +
      'CUDA 12 and cuDNN 9, with libcudart.so.12, libcublas.so.12 and libcudnn.so.9 on the library path.',
  }),
  wasm: Object.freeze({
    provider: 'wasm',
    label: 'WASM',
    gpu: false,
    int64OnDevice: true,
    platforms: Object.freeze(['web'] as const),
    takesDeviceId: false,
    logName: 'CPUExecutionProvider',
    outputsOnDevice: false,
    maybeSoftware: false,
  }),
  webgpu: Object.freeze({
    provider: 'webgpu',
    label: 'WebGPU',
    gpu: true,
    int64OnDevice: false,
    // onnxruntime-node bundles the WebGPU provider (Dawn over Vulkan on Linux); browsers bring their own.
    platforms: Object.freeze(['node', 'web'] as const),
    takesDeviceId: false,
    logName: 'WebGpuExecutionProvider',
    outputsOnDevice: true,
    maybeSoftware: true,
    installHint:
      'WebGPU needs, in a browser, navigator.gpu with a usable adapter (Chrome/Edge 113+, or Chromium with ' +
      '--enable-unsafe-webgpu); in Node on Linux, a Vulkan loader (libvulkan.so.1) and a Vulkan driver for the GPU ' +
      '(see docs/INSTALL.md).',
  }),
});

/**
 * Devices tried, in order, for `device: 'auto'`: accelerators first, the always-present CPU path last.
 * `'auto'` skips a WebGPU adapter that is a software renderer (see {@link DeviceInfo.maybeSoftware}).
 */
export const AUTO_DEVICES: Readonly<Record<Platform, readonly Device[]>> = Object.freeze({
  node: Object.freeze(['cuda', 'webgpu', 'cpu'] as const),
  web: Object.freeze(['webgpu', 'wasm'] as const),
});

/** True when `value` names a {@link Device}. */
export function isDevice(value: unknown): value is Device {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DEVICES, value);
}

/** Devices the given platform offers, in its auto order. */
export function devicesOf(platform: Platform): readonly Device[] {
  return AUTO_DEVICES[platform];
}

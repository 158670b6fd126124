import type { Device, DeviceFailure } from '@onnxkit/web';

/** A one-line account of where the model runs, and why not WebGPU when it fell back. */
export function describeDevice(device: Device, fallbacks: readonly DeviceFailure[], asked: string): { title: string; detail: string } {
  if (device === 'webgpu') return { title: 'WebGPU', detail: 'Inference and fine-tuning run on your GPU through WebGPU.' };
  const gpu = fallbacks.find((f) => f.device === 'webgpu');
  if (gpu) {
    const hasApi = typeof navigator !== 'undefined' && 'gpu' in navigator;
    return {
      title: 'WASM (no WebGPU)',
      detail: `WebGPU could not start, so everything runs on the CPU with WebAssembly: ${hasApi ? '' : 'this browser has no navigator.gpu; '}${gpu.error}`,
    };
  }
  return {
    title: 'WASM',
    detail: asked === 'wasm' ? 'Running on the CPU with WebAssembly, as asked with ?device=wasm.' : 'Running on the CPU with WebAssembly.',
  };
}

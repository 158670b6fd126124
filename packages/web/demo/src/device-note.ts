import { DEVICES, type Device, type DeviceFailure } from '@onnxkit/web';

/** A one-line account of where the model runs, and why not on a GPU when it fell back (the device table's `gpu`). */
export function describeDevice(device: Device, fallbacks: readonly DeviceFailure[], asked: string): { title: string; detail: string } {
  const info = DEVICES[device];
  if (info.gpu) return { title: info.label, detail: `Inference and fine-tuning run on your GPU through ${info.label}.` };
  const gpu = fallbacks.find((f) => DEVICES[f.device].gpu);
  if (gpu) {
    const hasApi = typeof navigator !== 'undefined' && 'gpu' in navigator;
    const name = DEVICES[gpu.device].label;
    return {
      title: `${info.label} (no ${name})`,
      detail: `${name} could not start, so everything runs on the CPU with WebAssembly: ${hasApi ? '' : 'this browser has no navigator.gpu; '}${gpu.error}`,
    };
  }
  return {
    title: info.label,
    detail: asked === 'wasm' ? 'Running on the CPU with WebAssembly, as asked with ?device=wasm.' : 'Running on the CPU with WebAssembly.',
  };
}

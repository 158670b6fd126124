/** Where a packed folder runs. */
export type PackTarget = 'node' | 'browser-wasm' | 'browser-webgpu';

/** Every target, with what it ships. */
export const PACK_TARGETS: Readonly<Record<PackTarget, string>> = Object.freeze({
  node: 'Node ≥ 20 on this platform: onnxruntime-node (CPU) native binding and library',
  'browser-wasm': "browsers: onnxruntime-web's WASM-only build (ort-wasm-simd-threaded.wasm)",
  'browser-webgpu': "browsers: onnxruntime-web's WebGPU build, WASM fallback (ort-wasm-simd-threaded.asyncify.wasm)",
});

/** True for a {@link PackTarget}. */
export function isPackTarget(value: unknown): value is PackTarget {
  return typeof value === 'string' && Object.hasOwn(PACK_TARGETS, value);
}

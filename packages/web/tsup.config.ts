import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/wasm.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'browser',
  external: ['onnxruntime-web', 'onnxruntime-web/webgpu', 'onnxruntime-web/wasm', '@onnxkit/core'],
});

import { defineConfig } from 'tsup';

export default defineConfig({
  // The image pool's worker is its own file: piscina loads it by path in each worker thread.
  entry: { index: 'src/index.ts', 'runtime-entry': 'src/runtime-entry.ts', 'queue-entry': 'src/queue-entry.ts', 'image-pool-worker': 'src/pool/image-pool-worker.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  shims: true,
  external: ['onnxruntime-node', '@onnxkit/core', '@onnxkit/models', 'bullmq', 'ioredis'],
});

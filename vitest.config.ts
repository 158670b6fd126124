import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@onnxkit/core/onnx': src('./packages/core/src/onnx/index.ts'),
      '@onnxkit/core/train': src('./packages/core/src/train/index.ts'),
      '@onnxkit/core/convert': src('./packages/core/src/convert/index.ts'),
      '@onnxkit/core/quantize': src('./packages/core/src/quantize/index.ts'),
      '@onnxkit/core': src('./packages/core/src/index.ts'),
      '@onnxkit/node/runtime': src('./packages/node/src/runtime-entry.ts'),
      '@onnxkit/node/queue': src('./packages/node/src/queue-entry.ts'),
      '@onnxkit/node': src('./packages/node/src/index.ts'),
      '@onnxkit/models': src('./packages/models/src/index.ts'),
      '@onnxkit/web/wasm': src('./packages/web/src/wasm.ts'),
      '@onnxkit/web': src('./packages/web/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});

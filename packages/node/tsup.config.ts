import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The image pool's worker is its own file: piscina loads it by path in each worker thread.
    entry: { index: 'src/index.ts', 'image-pool-worker': 'src/pool/image-pool-worker.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    shims: true,
    external: ['onnxruntime-node', '@onnxkit/core'],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    shims: true,
    banner: { js: '#!/usr/bin/env node' },
    external: ['onnxruntime-node', '@onnxkit/core'],
  },
  {
    // The runtime entries `onnxkit pack` bundles (with esbuild) into a packed folder; they ship as
    // JavaScript next to the CLI so packing works from an installed package too.
    entry: { 'entries/node-entry': 'src/pack/entries/node-entry.ts', 'entries/browser-entry': 'src/pack/entries/browser-entry.ts' },
    format: ['esm'],
    target: 'es2022',
    external: ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-web/webgpu', 'onnxruntime-web/wasm', '@onnxkit/core', '@onnxkit/web'],
  },
]);

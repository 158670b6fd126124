import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    clean: true,
    target: 'node20',
    shims: true,
    banner: { js: '#!/usr/bin/env node' },
    external: ['onnxruntime-node', '@onnxkit/core', '@onnxkit/node'],
  },
  {
    // The runtime entries `onnxkit pack` bundles (with esbuild) into a packed folder; they ship as
    // JavaScript next to the CLI so packing works from an installed package too.
    entry: { 'entries/node-entry': 'src/pack/entries/node-entry.ts', 'entries/browser-entry': 'src/pack/entries/browser-entry.ts' },
    format: ['esm'],
    target: 'es2022',
    external: ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-web/webgpu', 'onnxruntime-web/wasm', '@onnxkit/core', '@onnxkit/node', '@onnxkit/web'],
  },
]);

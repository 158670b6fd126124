import { defineConfig } from 'vite';

// onnxruntime-web's modules use top-level await and import.meta.url: build for browsers that have them.
export default defineConfig({ build: { target: 'es2022' } });

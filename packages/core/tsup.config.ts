import { defineConfig } from 'tsup';

/** The package's entry points: `.` and the subpaths `./onnx`, `./train`, `./convert`, `./quantize`. */
const ENTRIES = {
  index: 'src/index.ts',
  'onnx/index': 'src/onnx/index.ts',
  'train/index': 'src/train/index.ts',
  'convert/index': 'src/convert/index.ts',
  'quantize/index': 'src/quantize/index.ts',
};

export default defineConfig([
  {
    // ESM keeps one output file per source module (no bundling), so an app's bundler drops whole
    // modules it does not use (`sideEffects: false`): a page that only runs models ships no trainer,
    // converter or quantizer.
    entry: ['src/**/*.ts', 'src/**/*.js', '!src/**/*.d.ts'],
    bundle: false,
    format: ['esm'],
    sourcemap: true,
    clean: true,
    target: 'es2022',
  },
  {
    // CommonJS stays one file per entry: Node's require() has no use for module-level tree shaking.
    // (Two entries' copies of a class are harmless: the registries and error brands are process-wide.)
    entry: ENTRIES,
    format: ['cjs'],
    sourcemap: true,
    target: 'es2022',
  },
  {
    entry: ENTRIES,
    format: ['esm', 'cjs'],
    dts: { only: true },
  },
]);

/**
 * `@onnxkit/node/runtime`: the onnxruntime-node runtime alone, without registering it and without the
 * image decoder (sharp) or file helpers — what `onnxkit pack` bundles into a self-contained folder.
 *
 * @packageDocumentation
 * @module @onnxkit/node/runtime
 */
export { nodeRuntime } from './runtime/node-runtime.js';

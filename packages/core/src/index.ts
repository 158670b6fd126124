/**
 * The platform-free core of onnxkit: ONNX IR and codec, sessions over a registered ONNX Runtime, training,
 * classification, conversion, optimisation and quantization. Apps import `@onnxkit/node` or `@onnxkit/web`,
 * which re-export all of this and register their runtime.
 *
 * @packageDocumentation
 * @module @onnxkit/core
 */
export * from './errors.js';
export { brandClass, sharedSlot } from './shared-slot.js';
export { jsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
export * from './onnx/index.js';
export * from './runtime/index.js';
export * from './train/index.js';
export * from './data/index.js';
export * from './models/index.js';
export * from './classify/index.js';
export * from './optimize/index.js';
export * from './quantize/index.js';
export * from './convert/index.js';
export * from './federated/index.js';

export * from './errors.js';
export * from './onnx/index.js';
export * from './runtime/index.js';

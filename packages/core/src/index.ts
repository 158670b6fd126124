export * from './errors.js';
export * from './onnx/index.js';
export * from './runtime/index.js';
export * from './train/index.js';
export * from './data/index.js';
export * from './models/index.js';
export * from './classify/index.js';

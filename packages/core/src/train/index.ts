/**
 * Training: artifact generation (gradients, losses, optimizers), the `Trainer` and `fit`, head replacement.
 *
 * @packageDocumentation
 * @module @onnxkit/core/train
 */
export * from './autodiff/index.js';
export * from './losses/index.js';
export * from './optimizers/index.js';
export * from './artifacts/index.js';
export * from './trainer/index.js';
export * from './transfer/index.js';

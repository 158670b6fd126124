/**
 * The ONNX IR: decode/encode, `GraphBuilder`, validation, shape inference, inspection.
 *
 * @packageDocumentation
 * @module @onnxkit/core/onnx
 */
export * from './dtype.js';
export type * from './ir.js';
export { decodeModel, type DecodeOptions } from './codec/decode-model.js';
export { encodeModel } from './codec/model-codec.js';
export { validateModel, MIN_IR_VERSION, MAX_IR_VERSION } from './validate.js';
export { makeTensor, tensorToNumbers, elementCount, type TensorInput } from './tensor.js';
export {
  toAttribute,
  float,
  floats,
  intAttr,
  floatAttr,
  intsAttr,
  stringAttr,
  tensorAttr,
  type AttributeInput,
} from './attributes.js';
export { GraphBuilder, type GraphBuilderOptions, type NodeOptions, type BuildOptions } from './builder.js';
export { resolveExternalData, checkExternalLocation, externalTensors, type ReadLocation } from './external-data.js';
export * from './inspect/index.js';
export * from './shape-inference/index.js';

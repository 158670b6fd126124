/**
 * Keras (`.keras`, `.h5`) and TF.js Layers / graph models to ONNX.
 *
 * @packageDocumentation
 * @module @onnxkit/core/convert
 */
export { convertKeras, convertKerasModel, CONVERT_METADATA, type ConvertResult } from './convert.js';
export { ConvertError, type ConvertErrorCode } from './errors.js';
export { CONVERT_OPSETS, type ConvertOptions } from './options.js';
export type { ConvertedCard } from './emit/metadata.js';
export type { EmittedValue } from './emit/emit-graph.js';
export { readKerasSource, detectFormat, type ConvertInput } from './formats/read-source.js';
export type { ReadFile } from './formats/tfjs.js';
export { supportedLayers, ACTIVATIONS } from './layers/index.js';
export { supportedGraphOps } from './graph/emit-graph-model.js';
export { parseModelGraph } from './topology/parse-graph.js';
export type { KerasModel, ModelGraph, SourceFormat, WeightSource, WeightValue, LayerSpec, LayerCall, TensorRef, GraphInput } from './topology/types.js';

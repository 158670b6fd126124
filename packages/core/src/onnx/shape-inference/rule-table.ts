import { sameAsInput, type ShapeRule } from './context.js';
import { conv, convTranspose } from './rules/conv.js';
import { BROADCAST_OPS, COMPARISON_OPS, UNARY_OPS, broadcast, comparison, unary, where } from './rules/elementwise.js';
import { concat, expand, gather, gatherElements, pad, slice, tile, transpose } from './rules/layout.js';
import { nllLoss, softmaxCrossEntropyLoss } from './rules/loss.js';
import { convInteger, matMulInteger, qLinearConv, qLinearMatMul } from './rules/quantized.js';
import { gemm, matMul } from './rules/linear.js';
import { batchNormalization, dropout, layerNormalization } from './rules/normalization.js';
import { globalPool, pool } from './rules/pool.js';
import { REDUCE_OPS, argReduce, reduce } from './rules/reduce.js';
import { flatten, reshape, squeeze, unsqueeze } from './rules/reshape.js';
import { cast, castLike, constant, constantOfShape, dequantizeLinear, quantizeLinear, shape, size } from './rules/casts-and-constants.js';

/** Output like input 0 (scatters write into a copy of their data input). */
const unaryLike: ShapeRule = (ctx) => [sameAsInput(ctx)];

function table(): Record<string, ShapeRule> {
  const t: Record<string, ShapeRule> = {
    Conv: conv,
    ConvTranspose: convTranspose,
    MaxPool: pool,
    AveragePool: pool,
    LpPool: pool,
    GlobalAveragePool: globalPool,
    GlobalMaxPool: globalPool,
    GlobalLpPool: globalPool,
    BatchNormalization: batchNormalization,
    LayerNormalization: layerNormalization,
    Dropout: dropout,
    Gemm: gemm,
    MatMul: matMul,
    Flatten: flatten,
    Reshape: reshape,
    Squeeze: squeeze,
    Unsqueeze: unsqueeze,
    Transpose: transpose,
    Concat: concat,
    Pad: pad,
    Slice: slice,
    Gather: gather,
    GatherElements: gatherElements,
    ScatterElements: unaryLike,
    ScatterND: unaryLike,
    Expand: expand,
    Tile: tile,
    Where: where,
    ArgMax: argReduce,
    ArgMin: argReduce,
    Cast: cast,
    CastLike: castLike,
    QuantizeLinear: quantizeLinear,
    DequantizeLinear: dequantizeLinear,
    Constant: constant,
    ConstantOfShape: constantOfShape,
    Shape: shape,
    Size: size,
    ConvInteger: convInteger,
    MatMulInteger: matMulInteger,
    QLinearConv: qLinearConv,
    QLinearMatMul: qLinearMatMul,
    NegativeLogLikelihoodLoss: nllLoss,
    SoftmaxCrossEntropyLoss: softmaxCrossEntropyLoss,
  };
  for (const op of UNARY_OPS) t[op] = unary;
  for (const op of BROADCAST_OPS) t[op] = broadcast;
  for (const op of COMPARISON_OPS) t[op] = comparison;
  for (const op of Object.keys(REDUCE_OPS)) t[op] = reduce;
  return t;
}

/**
 * Shape/dtype rules of the default ONNX domain, keyed by op type. One entry per op; each rule reads
 * its node through a {@link ShapeContext} and never sees the rest of the graph.
 */
export const SHAPE_RULES: Readonly<Record<string, ShapeRule>> = Object.freeze(table());

/** True when shape inference has a rule for `opType` in the default ONNX domain. */
export function hasShapeRule(opType: string): boolean {
  return Object.prototype.hasOwnProperty.call(SHAPE_RULES, opType);
}

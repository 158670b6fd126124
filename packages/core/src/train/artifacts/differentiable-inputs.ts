import type { Node } from '../../onnx/ir.js';
import { isFloatType, dataTypeFromCode } from '../../onnx/dtype.js';

/**
 * Inputs no gradient flows through: shapes, axes, indices, pads, clip bounds, dropout ratios and
 * BatchNormalization's running statistics. An initializer that only feeds these is no parameter.
 */
const CONSTANT_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  Slice: [1, 2, 3, 4],
  Pad: [1, 2, 3],
  Resize: [1, 2, 3],
  Upsample: [1],
  Split: [1],
  Gather: [1],
  GatherElements: [1],
  GatherND: [1],
  ScatterElements: [1],
  ScatterND: [1],
  Scatter: [1],
  TopK: [1],
  Clip: [1, 2],
  Dropout: [1, 2],
  BatchNormalization: [3, 4],
  Where: [0],
  CumSum: [1],
  Trilu: [1],
  ReduceSum: [1],
  ReduceMean: [1],
  ReduceMax: [1],
  ReduceMin: [1],
  ReduceProd: [1],
  ReduceL1: [1],
  ReduceL2: [1],
  ReduceLogSum: [1],
  ReduceLogSumExp: [1],
  ReduceSumSquare: [1],
};

/** Ops whose outputs carry no gradient at all (integer, boolean, piecewise-constant or random results). */
const NO_GRADIENT_OPS: ReadonlySet<string> = new Set([
  'Shape', 'Size', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor',
  'IsNaN', 'IsInf', 'NonZero', 'ArgMax', 'ArgMin', 'Floor', 'Ceil', 'Round', 'Sign', 'OneHot', 'Range',
  'ConstantOfShape', 'EyeLike', 'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike',
  'Bernoulli', 'Multinomial', 'NonMaxSuppression', 'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear',
  'BitShift', 'Mod', 'StringNormalizer', 'TfIdfVectorizer',
]);

/** Whether a gradient can flow from `node`'s outputs into its input `index`. */
export function isDifferentiableInput(node: Node, index: number): boolean {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return true;
  if (NO_GRADIENT_OPS.has(node.opType)) return false;
  if (node.opType === 'Cast') {
    const to = node.attributes.to;
    return to?.type === 'int' && isFloatType(dataTypeFromCode(to.value));
  }
  return !(CONSTANT_INPUTS[node.opType] ?? []).includes(index);
}

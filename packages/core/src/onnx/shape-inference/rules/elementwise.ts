import type { DataType } from '../../dtype.js';
import type { Dim } from '../../ir.js';
import { sameAsInput, type ShapeContext, type ShapeRule } from '../context.js';
import { broadcastShapes, formatShape } from '../dims.js';

/** Ops whose single output has the type and shape of input 0 (activations, unary math, Softmax…). */
export const UNARY_OPS = [
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'Celu', 'HardSigmoid', 'HardSwish', 'Gelu', 'Mish',
  'Softplus', 'Softsign', 'ThresholdedRelu', 'PRelu', 'Exp', 'Log', 'Neg', 'Sqrt', 'Abs', 'Reciprocal',
  'Floor', 'Ceil', 'Round', 'Sign', 'Erf', 'Sin', 'Cos', 'Not', 'Clip', 'Identity', 'Softmax', 'LogSoftmax',
  'Hardmax', 'LRN', 'InstanceNormalization', 'LpNormalization', 'MeanVarianceNormalization', 'Shrink',
] as const;

/** Identity also forwards statically known contents (a shape passed through Identity stays known). */
export const unary: ShapeRule = (ctx: ShapeContext) => {
  const out = sameAsInput(ctx);
  if (out && ctx.node.opType === 'Identity') out.data = ctx.data(0);
  return [out];
};

/** Broadcasting ops whose output has the dtype of input 0. */
export const BROADCAST_OPS = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'Sum', 'Max', 'Min', 'Mean'] as const;

/** Broadcasting ops with a bool output. */
export const COMPARISON_OPS = ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'] as const;

function broadcastInputs(ctx: ShapeContext, first: number): Dim[] | undefined {
  const shapes: Dim[][] = [];
  for (let i = first; i < ctx.node.inputs.length; i++) {
    if (!ctx.has(i)) continue;
    const s = ctx.shape(i);
    if (!s) return undefined;
    shapes.push(s);
  }
  const out = broadcastShapes(shapes);
  if (!out) {
    ctx.fail(`cannot broadcast input shapes ${shapes.map((s) => formatShape(s)).join(' and ')}`);
  }
  return out;
}

function firstDtype(ctx: ShapeContext, from: number): DataType | undefined {
  for (let i = from; i < ctx.node.inputs.length; i++) {
    const t = ctx.dtype(i);
    if (t) return t;
  }
  return undefined;
}

/** Binary integer ops whose shape data is folded (numpy broadcasting of one-element operands). */
const INT_ARITHMETIC: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  // ONNX integer Div truncates toward zero.
  Div: (a, b) => Math.trunc(a / b),
};

/**
 * Shape data of integer arithmetic on shape data, as PyTorch exports build Reshape targets and Slice
 * bounds from `x.shape` (a channel shuffle's `C / groups`); null where an operand is not a number.
 */
function foldData(ctx: ShapeContext): Dim[] | undefined {
  const f = Object.hasOwn(INT_ARITHMETIC, ctx.node.opType) ? INT_ARITHMETIC[ctx.node.opType] : undefined;
  const a = ctx.data(0);
  const b = ctx.data(1);
  if (!f || ctx.node.inputs.length !== 2 || !a || !b) return undefined;
  if (a.length !== b.length && a.length !== 1 && b.length !== 1) return undefined;
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => {
    const x = a[a.length === 1 ? 0 : i];
    const y = b[b.length === 1 ? 0 : i];
    return typeof x === 'number' && typeof y === 'number' && !(ctx.node.opType === 'Div' && y === 0) ? f(x, y) : null;
  });
}

/** Numpy broadcasting over all inputs; dtype from the first typed input. */
export const broadcast: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.node.opType === 'Pow' ? ctx.dtype(0) : firstDtype(ctx, 0);
  const shape = broadcastInputs(ctx, 0);
  const data = shape && shape.length <= 1 ? foldData(ctx) : undefined;
  return [dtype && (data ? { dtype, shape, data } : { dtype, shape })];
};

/** Comparisons and logic ops: broadcast shape, bool output. */
export const comparison: ShapeRule = (ctx: ShapeContext) => [{ dtype: 'bool', shape: broadcastInputs(ctx, 0) }];

/** `Where(cond, x, y)`: broadcast of all three, dtype of x. */
export const where: ShapeRule = (ctx: ShapeContext) => {
  const dtype = firstDtype(ctx, 1);
  const shape = broadcastInputs(ctx, 0);
  return [dtype && { dtype, shape }];
};

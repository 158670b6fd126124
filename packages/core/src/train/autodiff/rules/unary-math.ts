import type { GradientRule } from '../types.js';
import { dyOf } from './activations.js';

/** dX = dY·Y. */
const exp: GradientRule = (ctx) => [ctx.emit.mul(dyOf(ctx), ctx.node.outputs[0])];

/** dX = dY / X. */
const log: GradientRule = (ctx) => [ctx.emit.div(dyOf(ctx), ctx.node.inputs[0])];

/** dX = −dY. */
const neg: GradientRule = (ctx) => [ctx.emit.neg(dyOf(ctx))];

/** dX = dY / (2·Y). */
const sqrt: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  return [emit.div(dyOf(ctx), emit.mul(emit.scalar(2, ctx.dtypeOf(node.inputs[0])), node.outputs[0]))];
};

/** dX = −dY·Y². */
const reciprocal: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const y = node.outputs[0];
  return [emit.neg(emit.mul(dyOf(ctx), emit.mul(y, y)))];
};

/** Float-to-float Cast: dX = Cast(dY) back to X's type. */
const cast: GradientRule = (ctx) => {
  const x = ctx.node.inputs[0];
  const dtype = ctx.dtypeOf(x);
  const to = { float32: 1, float16: 10, float64: 11, bfloat16: 16 }[dtype as 'float32'];
  if (to === undefined) ctx.fail(`input '${x}' of type ${dtype} carries no gradient`);
  return [ctx.emit.op('Cast', [dyOf(ctx)], { to })];
};

/** Rules for elementwise unary math (exponentials, roots, negation, float casts). */
export const UNARY_MATH_RULES: Readonly<Record<string, GradientRule>> = {
  Exp: exp,
  Log: log,
  Neg: neg,
  Sqrt: sqrt,
  Reciprocal: reciprocal,
  Cast: cast,
};

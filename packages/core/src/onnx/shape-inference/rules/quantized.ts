import type { DataType } from '../../dtype.js';
import type { ShapeContext, ShapeRule } from '../context.js';
import { conv } from './conv.js';
import { matMul } from './linear.js';

/** Runs `rule` on a view of the node whose inputs 0 and 1 are the node's inputs `x` and `w`. */
function onInputs(rule: ShapeRule, x: number, w: number, dtype: (ctx: ShapeContext) => DataType | undefined): ShapeRule {
  return (ctx: ShapeContext) => {
    const map = (i: number) => (i === 0 ? x : i === 1 ? w : -1);
    const view: ShapeContext = {
      ...ctx,
      has: (i) => map(i) >= 0 && ctx.has(map(i)),
      input: (i) => (map(i) >= 0 ? ctx.input(map(i)) : undefined),
      shape: (i) => (map(i) >= 0 ? ctx.shape(map(i)) : undefined),
      dtype: (i) => (map(i) >= 0 ? ctx.dtype(map(i)) : undefined),
      data: () => undefined,
      ints: () => undefined,
    };
    const out = rule(view)[0];
    const t = dtype(ctx);
    return [t && { dtype: t, shape: out?.shape }];
  };
}

/** ConvInteger: Conv's shape, int32 output. */
export const convInteger = onInputs(conv, 0, 1, () => 'int32');
/** MatMulInteger: MatMul's shape, int32 output. */
export const matMulInteger = onInputs(matMul, 0, 1, () => 'int32');
/** QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B): dtype of y_zero_point. */
export const qLinearConv = onInputs(conv, 0, 3, (ctx) => ctx.dtype(7) ?? ctx.dtype(0));
/** QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp): dtype of y_zero_point. */
export const qLinearMatMul = onInputs(matMul, 0, 3, (ctx) => ctx.dtype(7) ?? ctx.dtype(0));

import { intsAttr } from '../../attributes.js';
import type { Dim } from '../../ir.js';
import type { ShapeContext, ShapeRule } from '../context.js';
import { formatShape } from '../dims.js';
import { ceilMode, readWindow, windowOutputDim } from './window.js';

/** MaxPool / AveragePool / LpPool: [N, C, out…]; MaxPool's optional Indices output is int64. */
export const pool: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  if (!dtype) return [undefined, undefined];
  const x = ctx.shape(0);
  const kernel = intsAttr(ctx.node, 'kernel_shape');
  if (!kernel) ctx.fail(`the kernel_shape attribute is required`);
  let shape: Dim[] | undefined;
  if (x) {
    if (x.length < 3) ctx.fail(`input X must have rank >= 3 (N, C, spatial…), got ${formatShape(x)}`);
    const win = readWindow(ctx, kernel, x.length - 2);
    const ceil = ceilMode(ctx);
    shape = [x[0], x[1], ...x.slice(2).map((d, i) => windowOutputDim(d, i, win, ceil))];
  }
  return [{ dtype, shape }, { dtype: 'int64', shape }];
};

/** GlobalAveragePool / GlobalMaxPool / GlobalLpPool: [N, C, 1, …]. */
export const globalPool: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  if (!dtype) return [undefined];
  if (x && x.length < 3) ctx.fail(`input X must have rank >= 3 (N, C, spatial…), got ${formatShape(x)}`);
  return [{ dtype, shape: x && [x[0], x[1], ...x.slice(2).map(() => 1)] }];
};

import { intAttr } from '../../attributes.js';
import type { Dim } from '../../ir.js';
import { normalizeAxis, type ShapeContext, type ShapeRule } from '../context.js';
import { readAxes } from './reshape.js';

/** Reduce ops, with the opset from which `axes` is an input instead of an attribute. */
export const REDUCE_OPS: Readonly<Record<string, number>> = {
  ReduceSum: 13,
  ReduceMean: 18,
  ReduceMax: 18,
  ReduceMin: 18,
  ReduceProd: 18,
  ReduceL1: 18,
  ReduceL2: 18,
  ReduceLogSum: 18,
  ReduceLogSumExp: 18,
  ReduceSumSquare: 18,
};

/** Reduce*: reduced dims become 1 (keepdims) or disappear; no axes reduces all unless noop_with_empty_axes. */
export const reduce: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  if (!dtype) return [undefined];
  const keep = intAttr(ctx.node, 'keepdims', 1) === 1;
  const { axes, known } = readAxes(ctx, REDUCE_OPS[ctx.node.opType] ?? 18);
  if (!x) return [{ dtype }];
  if (!known) return [{ dtype, shape: keep ? x.map(() => null) : undefined }];
  if (!axes || axes.length === 0) {
    if (intAttr(ctx.node, 'noop_with_empty_axes', 0) === 1) return [{ dtype, shape: x }];
    return [{ dtype, shape: keep ? x.map(() => 1) : [] }];
  }
  const reduced = new Set(axes.map((a) => normalizeAxis(ctx, a, x.length, 'reduce axis')));
  const out: Dim[] = [];
  x.forEach((d, i) => {
    if (!reduced.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return [{ dtype, shape: out }];
};

/** ArgMax / ArgMin: int64 indices along `axis`. */
export const argReduce: ShapeRule = (ctx: ShapeContext) => {
  const x = ctx.shape(0);
  if (!x) return [{ dtype: 'int64' }];
  const axis = normalizeAxis(ctx, intAttr(ctx.node, 'axis', 0), x.length);
  const keep = intAttr(ctx.node, 'keepdims', 1) === 1;
  const out: Dim[] = [];
  x.forEach((d, i) => {
    if (i !== axis) out.push(d);
    else if (keep) out.push(1);
  });
  return [{ dtype: 'int64', shape: out }];
};

import { intAttr, intsAttr } from '../../attributes.js';
import type { Dim } from '../../ir.js';
import { normalizeAxis, type ShapeContext, type ShapeRule } from '../context.js';
import { dimProduct, divideProducts, formatShape, isStatic, productToDim } from '../dims.js';

/** Flatten: [prod(dims before axis), prod(dims from axis)], symbolic products kept when possible. */
export const flatten: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  if (!dtype) return [undefined];
  if (!x) return [{ dtype, shape: [null, null] }];
  const raw = intAttr(ctx.node, 'axis', 1);
  if (raw < -x.length || raw > x.length) ctx.fail(`axis ${raw} is out of range for rank ${x.length}`);
  const axis = raw < 0 ? raw + x.length : raw;
  return [{ dtype, shape: [productToDim(dimProduct(x.slice(0, axis))), productToDim(dimProduct(x.slice(axis)))] }];
};

/**
 * Reshape: target dims from the `shape` input (or the `shape` attribute before opset 5), read from
 * an initializer, a Constant or propagated shape data. 0 copies the input dim (unless allowzero);
 * one -1 is inferred from the element count, symbolically when needed.
 */
export const reshape: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  if (!dtype) return [undefined];
  const x = ctx.shape(0);
  const target: Dim[] | undefined = ctx.opset < 5 ? intsAttr(ctx.node, 'shape') : ctx.data(1);
  if (!target) {
    const len = ctx.opset < 5 ? undefined : ctx.shape(1)?.[0];
    return [{ dtype, shape: typeof len === 'number' ? Array<Dim>(len).fill(null) : undefined }];
  }
  const allowZero = intAttr(ctx.node, 'allowzero', 0) === 1;
  const out: Dim[] = [];
  let inferAt = -1;
  target.forEach((d, i) => {
    if (d === -1) {
      if (inferAt >= 0) ctx.fail(`shape ${formatShape(target)} has more than one -1`);
      inferAt = i;
      out.push(null);
    } else if (d === 0 && !allowZero) {
      if (x && i >= x.length) ctx.fail(`shape ${formatShape(target)} copies dim ${i} (0), but the input ${formatShape(x)} has rank ${x.length}`);
      out.push(x ? x[i] : null);
    } else if (typeof d === 'number' && d < -1) {
      ctx.fail(`shape ${formatShape(target)} has an invalid dim ${d}`);
    } else {
      out.push(d);
    }
  });
  if (x) {
    const total = dimProduct(x);
    if (inferAt >= 0) {
      const rest = dimProduct(out.filter((_, i) => i !== inferAt));
      const d = divideProducts(total, rest);
      if (d === undefined) ctx.fail(`cannot reshape ${formatShape(x)} to ${formatShape(target)}: ${total.coef} elements do not divide into ${rest.coef}`);
      out[inferAt] = d;
    } else if (isStatic(x) && isStatic(out) && total.coef !== dimProduct(out).coef) {
      ctx.fail(`cannot reshape ${formatShape(x)} (${total.coef} elements) to ${formatShape(out)} (${dimProduct(out).coef} elements)`);
    }
  }
  return [{ dtype, shape: out }];
};

/** Axes of Squeeze/Unsqueeze/Reduce*: an attribute in old opsets, input 1 from `inputFrom`. */
export function readAxes(ctx: ShapeContext, inputFrom: number): { axes?: number[]; known: boolean } {
  if (ctx.opset < inputFrom) {
    const axes = intsAttr(ctx.node, 'axes');
    return { axes, known: true };
  }
  if (!ctx.has(1)) return { axes: undefined, known: true };
  const axes = ctx.ints(1);
  return { axes, known: axes !== undefined };
}

/** Squeeze: removes the listed size-1 dims, or every size-1 dim when no axes are given. */
export const squeeze: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  if (!dtype) return [undefined];
  const x = ctx.shape(0);
  const { axes, known } = readAxes(ctx, 13);
  if (!x || !known) return [{ dtype }];
  let out: Dim[] | undefined;
  if (!axes || axes.length === 0) {
    out = x.every((d) => typeof d === 'number') ? x.filter((d) => d !== 1) : undefined;
  } else {
    const drop = new Set(axes.map((a) => normalizeAxis(ctx, a, x.length, 'squeeze axis')));
    for (const a of drop) {
      if (typeof x[a] === 'number' && x[a] !== 1) ctx.fail(`cannot squeeze dim ${a} of ${formatShape(x)}: its size is not 1`);
    }
    out = x.filter((_, i) => !drop.has(i));
  }
  const data = ctx.data(0);
  return [{ dtype, shape: out, data: data && out?.length === 0 ? data.slice(0, 1) : data }];
};

/** Unsqueeze: inserts size-1 dims at the given positions of the output. */
export const unsqueeze: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  if (!dtype) return [undefined];
  const x = ctx.shape(0);
  const { axes, known } = readAxes(ctx, 13);
  if (!known) return [{ dtype, shape: undefined }];
  if (!axes || axes.length === 0) ctx.fail(`axes are required`);
  if (!x) return [{ dtype }];
  const rank = x.length + axes.length;
  const at = new Set(axes.map((a) => normalizeAxis(ctx, a, rank, 'unsqueeze axis')));
  if (at.size !== axes.length) ctx.fail(`axes [${axes.join(', ')}] repeat an axis`);
  const out: Dim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : x[j++]);
  return [{ dtype, shape: out, data: ctx.data(0) }];
};

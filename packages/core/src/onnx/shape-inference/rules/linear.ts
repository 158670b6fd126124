import { intAttr } from '../../attributes.js';
import type { Dim } from '../../ir.js';
import type { ShapeContext, ShapeRule } from '../context.js';
import { broadcastShapes, formatShape, unifyDim } from '../dims.js';

/** Gemm: A' [M, K] × B' [K, N] (+ C broadcast to [M, N]) → [M, N]. */
export const gemm: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0) ?? ctx.dtype(1);
  if (!dtype) return [undefined];
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (a && a.length !== 2) ctx.fail(`input A must be 2-D, got ${formatShape(a)}`);
  if (b && b.length !== 2) ctx.fail(`input B must be 2-D, got ${formatShape(b)}`);
  const transA = intAttr(ctx.node, 'transA', 0) === 1;
  const transB = intAttr(ctx.node, 'transB', 0) === 1;
  const m: Dim = a ? a[transA ? 1 : 0] : null;
  const ka: Dim = a ? a[transA ? 0 : 1] : null;
  const kb: Dim = b ? b[transB ? 1 : 0] : null;
  const n: Dim = b ? b[transB ? 0 : 1] : null;
  if (unifyDim(ka, kb) === undefined) {
    ctx.fail(`inner dimensions differ: A ${formatShape(a)}${transA ? ' (transposed)' : ''} and B ${formatShape(b)}${transB ? ' (transposed)' : ''}`);
  }
  const c = ctx.has(2) ? ctx.shape(2) : undefined;
  let out: Dim[] = [m, n];
  if (c) {
    if (c.length > 2) ctx.fail(`input C ${formatShape(c)} has rank > 2`);
    const merged = broadcastShapes([out, c]);
    // C broadcasts one way only: to [M, N]; it may pin an unknown M or N.
    if (!merged || merged.some((d, i) => typeof out[i] === 'number' && d !== out[i])) {
      ctx.fail(`input C ${formatShape(c)} does not broadcast to [M, N] = ${formatShape(out)}`);
    }
    out = merged;
  }
  return [{ dtype, shape: out }];
};

/** MatMul with numpy semantics: 1-D operands are promoted and the added dim removed again. */
export const matMul: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0) ?? ctx.dtype(1);
  if (!dtype) return [undefined];
  const a = ctx.shape(0);
  const b = ctx.shape(1);
  if (!a || !b) return [{ dtype }];
  if (a.length === 0 || b.length === 0) ctx.fail(`inputs must not be scalars, got ${formatShape(a)} and ${formatShape(b)}`);
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  if (unifyDim(a2[a2.length - 1], b2[b2.length - 2]) === undefined) {
    ctx.fail(`inner dimensions differ: ${formatShape(a)} × ${formatShape(b)}`);
  }
  const batch = broadcastShapes([a2.slice(0, -2), b2.slice(0, -2)]);
  if (!batch) ctx.fail(`cannot broadcast batch dims of ${formatShape(a)} and ${formatShape(b)}`);
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]);
  if (b.length > 1) out.push(b2[b2.length - 1]);
  return [{ dtype, shape: out }];
};

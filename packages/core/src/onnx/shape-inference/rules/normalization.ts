import { intAttr } from '../../attributes.js';
import { dataTypeFromCode } from '../../dtype.js';
import type { Dim } from '../../ir.js';
import { normalizeAxis, sameAsInput, type InferredTensor, type ShapeContext, type ShapeRule } from '../context.js';

/**
 * BatchNormalization: Y like X. The optional statistics outputs (training mode, or the mean/var
 * outputs of opset < 14) are [C] vectors typed like the running mean.
 */
export const batchNormalization: ShapeRule = (ctx: ShapeContext) => {
  const y = sameAsInput(ctx);
  const x = ctx.shape(0);
  const c: Dim = x && x.length >= 2 ? x[1] : (ctx.shape(1)?.[0] ?? null);
  const statsType = ctx.dtype(3) ?? ctx.dtype(1) ?? y?.dtype;
  const stat: InferredTensor | undefined = statsType && { dtype: statsType, shape: [c] };
  return [y, ...ctx.node.outputs.slice(1).map(() => stat)];
};

/** Dropout: output like X; the optional mask has X's shape and is bool from opset 10 (T before). */
export const dropout: ShapeRule = (ctx: ShapeContext) => {
  const y = sameAsInput(ctx);
  const mask: InferredTensor | undefined = y && { dtype: ctx.opset >= 10 ? 'bool' : y.dtype, shape: y.shape };
  return [y, mask];
};

/** LayerNormalization: Y like X; Mean and InvStdDev keep dims before `axis` and 1 after. */
export const layerNormalization: ShapeRule = (ctx: ShapeContext) => {
  const y = sameAsInput(ctx);
  const x = ctx.shape(0);
  const stash = dataTypeFromCode(intAttr(ctx.node, 'stash_type', 1));
  let statShape: Dim[] | undefined;
  if (x) {
    const axis = normalizeAxis(ctx, intAttr(ctx.node, 'axis', -1), x.length);
    statShape = x.map((d, i) => (i < axis ? d : 1));
  }
  const stat: InferredTensor = { dtype: stash, shape: statShape };
  return [y, stat, stat];
};

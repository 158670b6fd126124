import { intAttr, intsAttr, stringAttr } from '../../attributes.js';
import type { Dim } from '../../ir.js';
import type { ShapeContext, ShapeRule } from '../context.js';
import { formatShape } from '../dims.js';
import { readWindow, windowOutputDim } from './window.js';

function checkRank(ctx: ShapeContext, x: Dim[], w: Dim[]): void {
  if (x.length < 3) ctx.fail(`input X must have rank >= 3 (N, C, spatial…), got ${formatShape(x)}`);
  if (w.length !== x.length) ctx.fail(`weight W ${formatShape(w)} must have the rank of X ${formatShape(x)}`);
}

/** Conv: Y = [N, M, out…] with M = W[0]; checks C == W[1] * group. */
export const conv: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0) ?? ctx.dtype(1);
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  if (!dtype) return [undefined];
  if (!x) return [{ dtype }];
  const spatial = x.length - 2;
  if (w) checkRank(ctx, x, w);
  const group = intAttr(ctx.node, 'group', 1);
  const c = x[1];
  const wc = w?.[1];
  if (typeof c === 'number' && typeof wc === 'number' && c !== wc * group) {
    ctx.fail(`input channels ${c} do not match weight ${formatShape(w)} with group ${group} (expects ${wc * group})`);
  }
  const kernel = intsAttr(ctx.node, 'kernel_shape') ?? w?.slice(2);
  if (!kernel || !kernel.every((k) => typeof k === 'number')) {
    return [{ dtype, shape: [x[0], w?.[0] ?? null, ...Array<Dim>(spatial).fill(null)] }];
  }
  const win = readWindow(ctx, kernel as number[], spatial);
  const out = x.slice(2).map((d, i) => windowOutputDim(d, i, win, false));
  return [{ dtype, shape: [x[0], w?.[0] ?? null, ...out] }];
};

/**
 * ConvTranspose: Y = [N, W[1] * group, out…]; `output_shape` wins when given, otherwise
 * out = stride·(in−1) + output_padding + (k−1)·dilation + 1 − pads (SAME_*: in·stride).
 */
export const convTranspose: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0) ?? ctx.dtype(1);
  const x = ctx.shape(0);
  const w = ctx.shape(1);
  if (!dtype) return [undefined];
  if (!x) return [{ dtype }];
  const spatial = x.length - 2;
  if (w) checkRank(ctx, x, w);
  const group = intAttr(ctx.node, 'group', 1);
  const c = x[1];
  const wc = w?.[0];
  if (typeof c === 'number' && typeof wc === 'number' && c !== wc) {
    ctx.fail(`input channels ${c} do not match weight ${formatShape(w)} (expects ${wc})`);
  }
  const m = typeof w?.[1] === 'number' ? w[1] * group : null;
  const outputShape = intsAttr(ctx.node, 'output_shape');
  if (outputShape) {
    const given = outputShape.length === spatial ? outputShape : outputShape.slice(-spatial);
    return [{ dtype, shape: [x[0], m, ...given] }];
  }
  const kernel = intsAttr(ctx.node, 'kernel_shape') ?? w?.slice(2);
  if (!kernel || !kernel.every((k) => typeof k === 'number')) {
    return [{ dtype, shape: [x[0], m, ...Array<Dim>(spatial).fill(null)] }];
  }
  const win = readWindow(ctx, kernel as number[], spatial);
  const outputPadding = intsAttr(ctx.node, 'output_padding', Array<number>(spatial).fill(0));
  const autoPad = stringAttr(ctx.node, 'auto_pad', 'NOTSET');
  const out = x.slice(2).map((d, i): Dim => {
    if (typeof d !== 'number') return null;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return d * win.strides[i];
    const pads = autoPad === 'VALID' ? 0 : win.pads[i] + win.pads[i + spatial];
    const effective = (win.kernel[i] - 1) * win.dilations[i] + 1;
    return win.strides[i] * (d - 1) + outputPadding[i] + effective - pads;
  });
  return [{ dtype, shape: [x[0], m, ...out] }];
};

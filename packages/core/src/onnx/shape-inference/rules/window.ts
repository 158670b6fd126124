import { intAttr, intsAttr, stringAttr } from '../../attributes.js';
import type { Dim } from '../../ir.js';
import { windowOutputSize } from '../../window-geometry.js';
import type { ShapeContext } from '../context.js';

/** The sliding-window attributes shared by Conv and the pools. */
export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin…, end…], as ONNX lays them out. */
  pads: number[];
  autoPad: string;
}

/** Reads kernel, strides, dilations, pads and auto_pad, checking their lengths. */
export function readWindow(ctx: ShapeContext, kernel: number[], spatial: number): Window {
  if (kernel.length !== spatial) ctx.fail(`kernel_shape has ${kernel.length} dims, but the input has ${spatial} spatial dims`);
  const ones = Array<number>(spatial).fill(1);
  const strides = intsAttr(ctx.node, 'strides', ones);
  const dilations = intsAttr(ctx.node, 'dilations', ones);
  const pads = intsAttr(ctx.node, 'pads', Array<number>(2 * spatial).fill(0));
  const autoPad = stringAttr(ctx.node, 'auto_pad', 'NOTSET');
  if (strides.length !== spatial) ctx.fail(`strides has ${strides.length} values, expected ${spatial}`);
  if (dilations.length !== spatial) ctx.fail(`dilations has ${dilations.length} values, expected ${spatial}`);
  if (pads.length !== 2 * spatial) ctx.fail(`pads has ${pads.length} values, expected ${2 * spatial}`);
  if (!['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'].includes(autoPad)) ctx.fail(`unknown auto_pad '${autoPad}'`);
  if (strides.some((s) => s < 1)) ctx.fail(`strides must be positive, got [${strides.join(', ')}]`);
  return { kernel, strides, dilations, pads, autoPad };
}

/** True when the node asks for ceil_mode. */
export function ceilMode(ctx: ShapeContext): boolean {
  return intAttr(ctx.node, 'ceil_mode', 0) === 1;
}

/** Output size of spatial dim `i` (see {@link windowOutputSize}); SAME padding keeps ceil(input / stride). */
export function windowOutputDim(input: Dim, i: number, w: Window, ceil: boolean): Dim {
  if (typeof input !== 'number') return null;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return Math.ceil(input / w.strides[i]);
  const n = w.kernel.length;
  const valid = w.autoPad === 'VALID';
  const padsBegin = valid ? Array<number>(n).fill(0) : w.pads.slice(0, n);
  const padsEnd = valid ? Array<number>(n).fill(0) : w.pads.slice(n, 2 * n);
  return windowOutputSize({ kernel: w.kernel, strides: w.strides, dilations: w.dilations, padsBegin, padsEnd, ceil }, i, input);
}

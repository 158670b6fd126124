import { intAttr } from '../../../onnx/attributes.js';
import type { GradientContext, GradientRule } from '../types.js';
import {
  firstOnly,
  oneHotKernels,
  onesLikeInput,
  perChannel,
  perWindow,
  pooling,
  prod,
  range,
  scatterBack,
  windowAttrs,
  type Pooling,
} from './pooling-setup.js';

/** MaxPool with kernel == stride, no padding, no dilation, static sizes: window axes by Reshape/Transpose. */
function maxPoolBlocked(ctx: GradientContext, p: Pooling): string {
  const { emit } = ctx;
  const n = p.kernel.length;
  const size = p.size as number[];
  const out = p.out as number[];
  const crop = out.map((o, i) => o * p.kernel[i]);
  const cropped = crop.some((c, i) => c !== size[i]);
  const xc = cropped ? emit.slice(p.x, new Array(n).fill(0), crop, range(2, 2 + n)) : p.x;
  const blocked = out.flatMap((o, i) => [o, p.kernel[i]]);
  const perm = [0, 1, ...range(0, n).map((i) => 2 + 2 * i), ...range(0, n).map((i) => 3 + 2 * i)];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const k = prod(p.kernel);
  const windows = emit.reshape(emit.transpose(emit.reshape(xc, [0, 0, ...blocked]), perm), [0, 0, ...out, k]);
  const hit = emit.where(emit.op('Equal', [windows, emit.unsqueeze(p.y, [-1])]), emit.scalar(1, p.dtype), emit.scalar(0, p.dtype));
  const g = emit.mul(firstOnly(ctx, hit, k, p.dtype), emit.unsqueeze(p.dy, [-1]));
  const back = emit.reshape(emit.transpose(emit.reshape(g, [0, 0, ...out, ...p.kernel]), inverse), [0, 0, ...crop]);
  if (!cropped) return back;
  return emit.op('Pad', [back, emit.ints([...new Array(2 + n).fill(0), 0, 0, ...size.map((d, i) => d - crop[i])])]);
}

/**
 * General MaxPool (overlap, padding, dilation, ceil_mode, unknown sizes): window taps extracted by a Conv
 * with one-hot kernels, a first-max mask against Y (taps outside the input masked out with the same
 * Conv over ones), scattered back by a ConvTranspose with the same kernels.
 */
function maxPoolGeneral(ctx: GradientContext, p: Pooling): string {
  const { emit } = ctx;
  const n = p.kernel.length;
  const k = prod(p.kernel);
  const kernels = oneHotKernels(ctx, p);
  const tapsLast = [0, ...range(2, 2 + n), 1];
  const taps = emit.transpose(emit.op('Conv', [perChannel(ctx, p, p.x, p.size), kernels], windowAttrs(p)), tapsLast);
  const valid = emit.transpose(emit.op('Conv', [onesLikeInput(ctx, p), kernels], windowAttrs(p)), tapsLast);
  const hit = emit.where(emit.op('Equal', [taps, perWindow(ctx, p, p.y)]), valid, emit.scalar(0, p.dtype));
  const g = emit.mul(firstOnly(ctx, hit, k, p.dtype), perWindow(ctx, p, p.dy));
  return scatterBack(ctx, p, emit.transpose(g, [0, n + 1, ...range(1, n + 1)]), kernels);
}

const maxPool: GradientRule = (ctx) => {
  const p = pooling(ctx);
  if (ctx.outputGrads.slice(1).some(Boolean)) ctx.fail('the Indices output carries no gradient');
  const blocked =
    p.known &&
    p.kernel.every((k, i) => k === p.geo.strides[i] && p.geo.dilations[i] === 1 && p.padsBegin[i] === 0 && p.padsEnd[i] === 0) &&
    p.out.every((o, i) => o === Math.floor((p.size[i] as number) / p.kernel[i]));
  return [blocked ? maxPoolBlocked(ctx, p) : maxPoolGeneral(ctx, p)];
};

/**
 * AveragePool: dY divided by each window's count, scattered back by a ConvTranspose with a ones kernel.
 * The counts are a Conv of ones over the input (padded with ones for count_include_pad), which runtimes
 * fold to a constant when the sizes are static.
 */
const averagePool: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const p = pooling(ctx);
  const n = p.kernel.length;
  const ones = emit.floats(p.dtype, new Array(prod(p.kernel)).fill(1), [1, 1, ...p.kernel]);
  let counts: string;
  if (intAttr(node, 'count_include_pad', 0) === 1) {
    const padsEnd = p.geo.padsEnd as number[];
    const padded = emit.op('Pad', [onesLikeInput(ctx, p), emit.ints([0, 0, ...p.padsBegin, 0, 0, ...padsEnd]), emit.scalar(1, p.dtype)]);
    counts = emit.op('Conv', [padded, ones], {
      kernel_shape: p.kernel,
      strides: p.geo.strides,
      dilations: p.geo.dilations,
      pads: [...new Array(n).fill(0), ...p.padsEnd.map((pe, i) => pe - padsEnd[i])],
    });
  } else {
    counts = emit.op('Conv', [onesLikeInput(ctx, p), ones], windowAttrs(p));
  }
  const scaled = emit.div(perChannel(ctx, p, p.dy, p.out), counts);
  return [scatterBack(ctx, p, scaled, ones)];
};

/** GlobalAveragePool: dX = dY broadcast over space / spatial size (counted at run time when not static). */
const globalAveragePool: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const x = node.inputs[0];
  const dtype = ctx.dtypeOf(x);
  const dy = ctx.outputGrads[0] as string;
  const shape = ctx.shapeOf(x);
  const spatial = shape?.slice(2);
  const xShape = emit.op('Shape', [x]);
  if (spatial && spatial.every((d) => typeof d === 'number')) {
    return [emit.op('Expand', [emit.mul(dy, emit.scalar(1 / prod(spatial as number[]), dtype)), xShape])];
  }
  const rank = shape?.length ?? ctx.rankOf(node.outputs[0]);
  if (rank === undefined) return ctx.fail(`the static rank of '${x}' is needed`);
  const count = emit.reduceSum(emit.op('Expand', [emit.scalar(1, dtype), xShape]), range(2, rank), true);
  return [emit.div(emit.op('Expand', [dy, xShape]), count)];
};

/** GlobalMaxPool: first-max mask over the flattened space (static spatial size). */
const globalMaxPool: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const x = node.inputs[0];
  const dtype = ctx.dtypeOf(x);
  const spatial = ctx.shapeOf(x)?.slice(2);
  if (!spatial || spatial.some((d) => typeof d !== 'number')) return ctx.fail(`the static spatial size of '${x}' is needed`);
  const s = prod(spatial as number[]);
  const flat = emit.reshape(x, [0, 0, s]);
  const hit = emit.where(emit.op('Equal', [flat, emit.reshape(node.outputs[0], [0, 0, 1])]), emit.scalar(1, dtype), emit.scalar(0, dtype));
  const g = emit.mul(firstOnly(ctx, hit, s, dtype), emit.reshape(ctx.outputGrads[0] as string, [0, 0, 1]));
  return [emit.reshapeLike(g, x)];
};

/** Rules for pooling. */
export const POOL_RULES: Readonly<Record<string, GradientRule>> = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  GlobalMaxPool: globalMaxPool,
};

import { intAttr, intsAttr } from '../../../onnx/attributes.js';
import type { DataType } from '../../../onnx/dtype.js';
import { effectiveKernel, windowGeometry, windowOutputSize, type WindowGeometry } from '../geometry.js';
import type { GradientContext, GradientRule } from '../types.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const prod = (xs: readonly number[]) => xs.reduce((p, v) => p * v, 1);

/** Static facts of a pooling node; spatial input sizes must be static. */
interface Pooling {
  x: string;
  y: string;
  dy: string;
  dtype: DataType;
  kernel: number[];
  /** Input spatial sizes. */
  size: number[];
  /** Output spatial sizes. */
  out: number[];
  geo: WindowGeometry;
  padsBegin: number[];
  /** End pads, widened so that a floor-mode Conv yields `out` windows (ceil_mode). */
  padsEnd: number[];
}

function pooling(ctx: GradientContext): Pooling {
  const { node } = ctx;
  const x = node.inputs[0];
  const shape = ctx.shapeOf(x);
  const size = shape?.slice(2);
  if (!size || size.some((d) => typeof d !== 'number')) return ctx.fail(`the static spatial size of '${x}' is needed`);
  const kernel = intsAttr(node, 'kernel_shape');
  if (!kernel) return ctx.fail("attribute 'kernel_shape' is missing");
  const geo = windowGeometry(node, kernel, size, 'pool');
  const declared = ctx.shapeOf(node.outputs[0])?.slice(2);
  const out = size.map((d, i) => (typeof declared?.[i] === 'number' ? (declared[i] as number) : (windowOutputSize(geo, i, d) as number)));
  const padsBegin = geo.padsBegin as number[];
  const padsEnd = (geo.padsEnd as number[]).map((pe, i) =>
    Math.max(pe, (out[i] - 1) * geo.strides[i] + effectiveKernel(geo, i) - (size[i] as number) - padsBegin[i]),
  );
  return { x, y: node.outputs[0], dy: ctx.outputGrads[0] as string, dtype: ctx.dtypeOf(x), kernel, size: size as number[], out, geo, padsBegin, padsEnd };
}

/** output_padding making a ConvTranspose with the pooling's window reproduce the input size. */
function outputPadding(p: Pooling): number[] {
  return p.size.map((d, i) => d - ((p.out[i] - 1) * p.geo.strides[i] + effectiveKernel(p.geo, i) - p.padsBegin[i] - p.padsEnd[i]));
}

/**
 * Keeps only the first 1 along the last axis (length k) of a 0/1 float mask: m·Relu(1 − m·U) with U
 * strictly upper-triangular ones (counts of earlier ones). Portable: no CumSum, ArgMax or int ops.
 */
function firstOnly(ctx: GradientContext, m: string, k: number, dtype: DataType): string {
  if (k === 1) return m;
  const u = Array.from({ length: k * k }, (_, idx) => (Math.floor(idx / k) < idx % k ? 1 : 0));
  const before = ctx.emit.op('MatMul', [m, ctx.emit.floats(dtype, u, [k, k])]);
  return ctx.emit.mul(m, ctx.emit.op('Relu', [ctx.emit.sub(ctx.emit.scalar(1, dtype), before)]));
}

/** MaxPool with kernel == stride, no padding, no dilation: window axes by Reshape/Transpose. */
function maxPoolBlocked(ctx: GradientContext, p: Pooling): string {
  const { emit } = ctx;
  const n = p.kernel.length;
  const crop = p.out.map((o, i) => o * p.kernel[i]);
  const cropped = crop.some((c, i) => c !== p.size[i]);
  const xc = cropped ? emit.slice(p.x, new Array(n).fill(0), crop, range(2, 2 + n)) : p.x;
  const blocked = p.out.flatMap((o, i) => [o, p.kernel[i]]);
  const perm = [0, 1, ...range(0, n).map((i) => 2 + 2 * i), ...range(0, n).map((i) => 3 + 2 * i)];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const k = prod(p.kernel);
  const windows = emit.reshape(emit.transpose(emit.reshape(xc, [0, 0, ...blocked]), perm), [0, 0, ...p.out, k]);
  const hit = emit.where(emit.op('Equal', [windows, emit.unsqueeze(p.y, [-1])]), emit.scalar(1, p.dtype), emit.scalar(0, p.dtype));
  const g = emit.mul(firstOnly(ctx, hit, k, p.dtype), emit.unsqueeze(p.dy, [-1]));
  const back = emit.reshape(emit.transpose(emit.reshape(g, [0, 0, ...p.out, ...p.kernel]), inverse), [0, 0, ...crop]);
  if (!cropped) return back;
  const pads = [...new Array(2 + n).fill(0), 0, 0, ...p.size.map((d, i) => d - crop[i])];
  return emit.op('Pad', [back, emit.ints(pads)]);
}

/** One-hot kernels [K, 1, ...kernel]: channel j picks window position j (row-major). */
function oneHotKernels(kernel: number[]): number[] {
  const k = prod(kernel);
  return Array.from({ length: k * k }, (_, idx) => (Math.floor(idx / k) === idx % k ? 1 : 0));
}

/** For each output position and window tap: 1 when the tap falls inside the input. Shape [...out, K]. */
function validTaps(p: Pooling): number[] {
  const n = p.kernel.length;
  const values: number[] = [];
  const outIdx = new Array<number>(n).fill(0);
  const tapIdx = new Array<number>(n).fill(0);
  const step = (idx: number[], limits: number[]) => {
    for (let i = n - 1; i >= 0; i--) {
      if (++idx[i] < limits[i]) return true;
      idx[i] = 0;
    }
    return false;
  };
  do {
    do {
      let inside = 1;
      for (let i = 0; i < n; i++) {
        const pos = outIdx[i] * p.geo.strides[i] - p.padsBegin[i] + tapIdx[i] * p.geo.dilations[i];
        if (pos < 0 || pos >= p.size[i]) inside = 0;
      }
      values.push(inside);
    } while (step(tapIdx, p.kernel));
  } while (step(outIdx, p.out));
  return values;
}

/**
 * General MaxPool (overlap, padding, dilation, ceil_mode): windows extracted by a Conv with one-hot
 * kernels, first-max mask against Y (taps outside the input masked out), and scattered back by a
 * ConvTranspose with the same kernels. Conv/ConvTranspose/Equal(float)/MatMul only.
 */
function maxPoolGeneral(ctx: GradientContext, p: Pooling): string {
  const { emit } = ctx;
  const n = p.kernel.length;
  const k = prod(p.kernel);
  const kernels = emit.floats(p.dtype, oneHotKernels(p.kernel), [k, 1, ...p.kernel]);
  const attrs = { kernel_shape: p.kernel, strides: p.geo.strides, dilations: p.geo.dilations, pads: [...p.padsBegin, ...p.padsEnd] };
  const taps = emit.op('Conv', [emit.reshape(p.x, [-1, 1, ...p.size]), kernels], attrs);
  const tapsLast = emit.transpose(taps, [0, ...range(2, 2 + n), 1]);
  const yf = emit.unsqueeze(emit.reshape(p.y, [-1, ...p.out]), [-1]);
  const valid = emit.floats(p.dtype, validTaps(p), [...p.out, k]);
  const hit = emit.where(emit.op('Equal', [tapsLast, yf]), valid, emit.scalar(0, p.dtype));
  const g = emit.mul(firstOnly(ctx, hit, k, p.dtype), emit.unsqueeze(emit.reshape(p.dy, [-1, ...p.out]), [-1]));
  const gt = emit.transpose(g, [0, n + 1, ...range(1, n + 1)]);
  const pad = outputPadding(p);
  const dx = emit.op('ConvTranspose', [gt, kernels], { ...attrs, output_padding: pad.some((v) => v) ? pad : undefined });
  return emit.reshapeLike(dx, p.x);
}

const maxPool: GradientRule = (ctx) => {
  const p = pooling(ctx);
  if (ctx.outputGrads.slice(1).some(Boolean)) ctx.fail("the Indices output carries no gradient");
  const blocked =
    p.kernel.every((k, i) => k === p.geo.strides[i] && p.geo.dilations[i] === 1 && p.padsBegin[i] === 0 && p.padsEnd[i] === 0) &&
    p.out.every((o, i) => o === Math.floor(p.size[i] / p.kernel[i]));
  return [blocked ? maxPoolBlocked(ctx, p) : maxPoolGeneral(ctx, p)];
};

/** Divisor of each window per axis, as ONNX Runtime counts it. */
function windowCounts(p: Pooling, i: number, includePad: boolean): number[] {
  const { strides, dilations, kernel } = p.geo;
  return range(0, p.out[i]).map((o) => {
    const start = o * strides[i] - p.padsBegin[i];
    if (includePad) {
      const end = Math.min(start + kernel[i] * dilations[i], p.size[i] + (p.geo.padsEnd[i] as number));
      return 1 + Math.floor((end - start - 1) / dilations[i]);
    }
    return range(0, kernel[i]).filter((t) => start + t * dilations[i] >= 0 && start + t * dilations[i] < p.size[i]).length;
  });
}

/** AveragePool: dY divided by each window's count, scattered by a ConvTranspose with a ones kernel. */
const averagePool: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const p = pooling(ctx);
  const n = p.kernel.length;
  const includePad = intAttr(node, 'count_include_pad', 0) === 1;
  const counts = range(0, n).map((i) => windowCounts(p, i, includePad));
  const recip: number[] = [];
  const idx = new Array<number>(n).fill(0);
  for (let flat = 0; flat < prod(p.out); flat++) {
    let r = flat;
    for (let i = n - 1; i >= 0; i--) {
      idx[i] = r % p.out[i];
      r = Math.floor(r / p.out[i]);
    }
    recip.push(1 / idx.reduce((c, o, i) => c * counts[i][o], 1));
  }
  const scaled = emit.mul(p.dy, emit.floats(p.dtype, recip, p.out));
  const ones = emit.floats(p.dtype, new Array(prod(p.kernel)).fill(1), [1, 1, ...p.kernel]);
  const pad = outputPadding(p);
  const dx = emit.op('ConvTranspose', [emit.reshape(scaled, [-1, 1, ...p.out]), ones], {
    kernel_shape: p.kernel,
    strides: p.geo.strides,
    dilations: p.geo.dilations,
    pads: [...p.padsBegin, ...p.padsEnd],
    output_padding: pad.some((v) => v) ? pad : undefined,
  });
  return [emit.reshapeLike(dx, p.x)];
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
  if (!shape) return ctx.fail(`the static rank of '${x}' is needed`);
  const count = emit.reduceSum(emit.op('Expand', [emit.scalar(1, dtype), xShape]), range(2, shape.length), true);
  return [emit.div(emit.op('Expand', [dy, xShape]), count)];
};

/** GlobalMaxPool: first-max mask over the flattened space. */
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

import { dataTypeCode } from '../../../onnx/dtype.js';
import { intAttr } from '../../../onnx/attributes.js';
import { prod, range } from '../arrays.js';
import type { GradientContext, GradientRule } from '../types.js';
import {
  firstOnly,
  oneHotKernels,
  onesLikeInput,
  perChannel,
  perWindow,
  pooling,
  scatterBack,
  windowAttrs,
  type Pooling,
} from './pooling-setup.js';

/**
 * MaxPool with kernel == stride, no padding, no dilation, static sizes. Each window tap is a strided
 * Slice of X shaped like Y, so every elementwise op works on equal shapes (runtimes are slow at
 * broadcasting over a short window axis). First-max routing: dY goes to the first tap equal to Y, in
 * row-major window order, through a chain of Where. The taps' gradients are interleaved back by
 * DepthToSpace for square 2-D windows, by Concat + Transpose otherwise. (SpaceToDepth would gather the
 * taps faster, but ORT's WebGPU provider runs it on the CPU.)
 */
function maxPoolBlocked(ctx: GradientContext, p: Pooling): string {
  const { emit } = ctx;
  const n = p.kernel.length;
  const size = p.size as number[];
  const out = p.out as number[];
  const crop = out.map((o, i) => o * p.kernel[i]);
  const offsets = windowOffsets(p.kernel);
  const axes = emit.ints(range(2, 2 + n));
  const steps = emit.ints(p.kernel);
  const zero = emit.scalar(0, p.dtype);
  // `rest` is dY where no earlier tap matched, else 0.
  let rest = p.dy;
  const grads = offsets.map((o, t) => {
    const tap = emit.op('Slice', [p.x, emit.ints(o), emit.ints(o.map((v, i) => v + crop[i])), axes, steps]);
    const hit = emit.op('Equal', [tap, p.y]);
    const g = emit.where(hit, rest, zero);
    if (t < offsets.length - 1) rest = emit.where(hit, zero, rest);
    return g;
  });

  let back: string;
  if (n === 2 && p.kernel[0] === p.kernel[1]) {
    // DepthToSpace (DCR) puts channel t·C + c at tap t of channel c.
    back = emit.op('DepthToSpace', [emit.op('Concat', grads, { axis: 1 })], { blocksize: p.kernel[0], mode: 'DCR' });
  } else {
    // [N, C, taps, ...out] → [N, C, ...kernel, ...out] → [N, C, out0, k0, out1, k1, ...] → [N, C, ...crop].
    const stacked = emit.reshape(emit.op('Concat', grads.map((g) => emit.unsqueeze(g, [2])), { axis: 2 }), [0, 0, ...p.kernel, ...out]);
    const perm = [0, 1, ...range(0, n).flatMap((i) => [2 + n + i, 2 + i])];
    back = emit.reshape(emit.transpose(stacked, perm), [0, 0, ...crop]);
  }
  if (crop.every((c, i) => c === size[i])) return back;
  return emit.op('Pad', [back, emit.ints([...new Array(2 + n).fill(0), 0, 0, ...size.map((d, i) => d - crop[i])])]);
}

/** Offsets of a window's taps, row-major. */
function windowOffsets(kernel: readonly number[]): number[][] {
  return kernel.reduce<number[][]>((acc, k) => acc.flatMap((o) => range(0, k).map((v) => [...o, v])), [[]]);
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

/**
 * MaxPool backward by scattering dY to each window's first maximum with MaxUnpool (windows that cannot
 * overlap: every position receives at most one value) or ScatterElements `add` (overlapping windows),
 * from flat positions in X. For square 2-D windows with kernel == stride, no padding and static sizes,
 * the positions are found at the pooled resolution from SpaceToDepth's taps (a chain of Where on
 * `tap == Y`, first tap in row-major window order wins, as in ORT's and PyTorch's kernels), which ORT's
 * CPU provider runs several times faster than MaxPool's own `Indices` output; otherwise they are that
 * output.
 */
function maxPoolScatter(ctx: GradientContext, p: Pooling, blocked: boolean): string {
  const { emit } = ctx;
  const dims = ctx.shapeOf(p.x);
  const staticDims = dims?.every((d) => typeof d === 'number') ? (dims as number[]) : undefined;
  const xShape = staticDims ? emit.ints(staticDims) : emit.op('Shape', [p.x]);
  const squareBlocks = blocked && p.kernel.length === 2 && p.kernel[0] === p.kernel[1] && typeof dims?.[1] === 'number';
  const indices = squareBlocks ? firstMaxPositions(ctx, p, dims![1] as number) : ctx.requireOutput(1);
  const disjoint = p.kernel.every((k, i) => p.geo.strides[i] >= (k - 1) * p.geo.dilations[i] + 1);
  // MaxUnpool refuses an output_shape below (out − 1)·stride + kernel − pads; the pooling's pads
  // (end pads widened for ceil_mode) keep that bound at or below X's real size.
  const pads = [...p.padsBegin, ...p.padsEnd];
  if (disjoint) return emit.op('MaxUnpool', [p.dy, indices, xShape], { kernel_shape: p.kernel, strides: p.geo.strides, pads });
  const zeros = emit.op('ConstantOfShape', [emit.op('ReduceProd', [xShape], { keepdims: 1 })]);
  const flat = emit.op('ScatterElements', [zeros, emit.reshape(indices, [-1]), emit.reshape(p.dy, [-1])], { axis: 0, reduction: 'add' });
  return emit.op('Reshape', [flat, xShape]);
}

/**
 * Flat positions in X [N, C, H, W] of each k×k window's first maximum (int64, shaped like Y): the
 * window's taps are SpaceToDepth's channel blocks (X cropped to whole windows first), compared with Y
 * from the last tap to the first so that the first equal tap is kept.
 */
function firstMaxPositions(ctx: GradientContext, p: Pooling, channels: number): string {
  const { emit } = ctx;
  const k = p.kernel[0];
  const [height, width] = p.size as number[];
  const [outH, outW] = p.out as number[];
  const cropped = outH * k === height && outW * k === width ? p.x : emit.slice(p.x, [0, 0], [outH * k, outW * k], [2, 3]);
  const blocks = emit.op('SpaceToDepth', [cropped], { blocksize: k });
  const scalar = (v: number) => emit.ints([v], []);
  // Tap offsets within a window are small integers, exact in float32; float Where runs faster than int64.
  const offset = (t: number) => emit.scalar(Math.floor(t / k) * width + (t % k), 'float32');
  let chosen = offset(k * k - 1);
  for (let t = k * k - 2; t >= 0; t--) {
    const tap = emit.slice(blocks, [t * channels], [(t + 1) * channels], [1]);
    chosen = emit.where(emit.op('Equal', [tap, p.y]), offset(t), chosen);
  }
  const position = emit.op('Cast', [chosen], { to: dataTypeCode('int64') });
  // Each window's top-left corner within its image, then each image's start in the batch.
  const corners = new Array<number>(channels * outH * outW);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < outH; i++) for (let j = 0; j < outW; j++) corners[(c * outH + i) * outW + j] = (c * height + i * k) * width + j * k;
  }
  const size = scalar(channels * height * width);
  const batch = emit.op('Gather', [emit.op('Shape', [p.x]), scalar(0)]);
  const starts = emit.op('Range', [scalar(0), emit.mul(batch, size), size]);
  return emit.add(emit.add(position, emit.ints(corners, [channels, outH, outW])), emit.reshape(starts, [-1, 1, 1, 1]));
}

const maxPool: GradientRule = (ctx) => {
  const p = pooling(ctx);
  if (ctx.outputGrads.slice(1).some(Boolean)) ctx.fail('the Indices output carries no gradient');
  const blocked =
    p.known &&
    p.kernel.every((k, i) => k === p.geo.strides[i] && p.geo.dilations[i] === 1 && p.padsBegin[i] === 0 && p.padsEnd[i] === 0) &&
    p.out.every((o, i) => o === Math.floor((p.size[i] as number) / p.kernel[i]));
  if (ctx.features.maxPoolIndices && p.dtype === 'float32') return [maxPoolScatter(ctx, p, blocked)];
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

/**
 * GlobalAveragePool: dX = dY broadcast over space / spatial size (counted at run time when not static).
 * With static spatial dims dY [N, C, 1, 1] expands to the constant [1, 1, H, W]: no runtime Shape,
 * whose int64 arithmetic WebGPU's layout transform would move to the CPU.
 */
const globalAveragePool: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const x = node.inputs[0];
  const dtype = ctx.dtypeOf(x);
  const dy = ctx.outputGrads[0] as string;
  const shape = ctx.shapeOf(x);
  const spatial = shape?.slice(2);
  if (spatial && spatial.every((d) => typeof d === 'number')) {
    return [emit.op('Expand', [emit.mul(dy, emit.scalar(1 / prod(spatial as number[]), dtype)), emit.ints([1, 1, ...(spatial as number[])])])];
  }
  const xShape = emit.op('Shape', [x]);
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
  return [emit.reshape(g, [0, 0, ...(spatial as number[])])];
};

/** Rules for pooling. */
export const POOL_RULES: Readonly<Record<string, GradientRule>> = {
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  GlobalMaxPool: globalMaxPool,
};

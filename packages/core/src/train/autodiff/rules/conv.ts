import { intAttr, intsAttr } from '../../../onnx/attributes.js';
import type { Dim } from '../../../onnx/ir.js';
import { INT64_MAX } from '../emitter.js';
import { effectiveKernel, windowGeometry, windowOutputSize, type WindowGeometry } from '../../../onnx/window-geometry.js';
import { range } from '../arrays.js';
import type { GradientContext, GradientRule } from '../types.js';


/**
 * Conv (any spatial rank, group, strides, pads, auto_pad, dilations).
 * dB = ΣdY over batch and space. dX = ConvTranspose(dY, W) with the forward attributes, output_padding
 * restoring the input size lost to the stride (when it is unknown: the largest padding, then a Slice to
 * the runtime size). dW = Conv over batch-as-channels: X→[C/g, g·N, ...], dY→[M, N, ...], convolved with
 * strides and dilations swapped and `group` groups, sliced to the kernel size, transposed to [M, C/g, ...].
 */
const conv: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const [x, w, b] = node.inputs;
  const dy = ctx.outputGrads[0] as string;
  const wShape = ctx.shapeOf(w);
  if (!wShape || wShape.some((d) => typeof d !== 'number')) return ctx.fail(`the static shape of weight '${w}' is needed`);
  const kernel = intsAttr(node, 'kernel_shape') ?? (wShape.slice(2) as number[]);
  const n = kernel.length;
  const group = intAttr(node, 'group', 1);
  const spatial = ctx.shapeOf(x)?.slice(2) ?? new Array(n).fill(null);
  const geo = windowGeometry(node, kernel, spatial, 'conv');
  if (geo.padsBegin.some((p) => p === null)) return ctx.fail(`auto_pad SAME with stride > 1 needs the static spatial size of '${x}'`);
  const pads = [...geo.padsBegin, ...geo.padsEnd] as number[];
  // Input positions beyond the last window (the stride's remainder) per axis; null when the size is unknown.
  const rem = spatial.map((d, i) => (typeof d === 'number' ? (d + pads[i] + pads[i + n] - effectiveKernel(geo, i)) % geo.strides[i] : null));
  const spatialAxes = range(2, 2 + n);
  const swap01 = [1, 0, ...spatialAxes];
  const grads: (string | undefined)[] = [undefined, undefined, undefined];

  if (ctx.needs[2] && b) grads[2] = emit.reduceSum(dy, [0, ...spatialAxes], false);

  if (ctx.needs[0]) {
    const known = rem.every((r) => r !== null);
    const outputPadding = rem.map((r, i) => r ?? geo.strides[i] - 1);
    let dx = emit.op('ConvTranspose', [dy, w], {
      kernel_shape: kernel,
      strides: geo.strides,
      dilations: geo.dilations,
      pads,
      group,
      output_padding: outputPadding.some((p) => p > 0) ? outputPadding : undefined,
    });
    if (!known) {
      const ends = emit.op('Slice', [emit.op('Shape', [x]), emit.ints([2]), emit.ints([INT64_MAX])]);
      dx = emit.op('Slice', [dx, emit.ints(new Array(n).fill(0)), ends, emit.ints(spatialAxes)]);
    }
    grads[0] = dx;
  }

  if (ctx.needs[1] && preferGemm(group, kernel, spatial, geo)) {
    grads[1] = weightGradGemm(ctx, x, dy, wShape as number[], geo, spatial as number[]);
  } else if (ctx.needs[1]) {
    let xt: string;
    if (group === 1) {
      xt = emit.transpose(x, swap01);
    } else {
      const cg = wShape[1] as number;
      const grouped = emit.transpose(emit.reshape(x, [0, group, cg, -1]), [2, 1, 0, 3]);
      xt = spatial.every((d) => typeof d === 'number')
        ? emit.reshape(grouped, [cg, -1, ...(spatial as number[])])
        : emit.op('Reshape', [
            grouped,
            emit.op('Concat', [emit.ints([cg, -1]), emit.op('Slice', [emit.op('Shape', [x]), emit.ints([2]), emit.ints([INT64_MAX])])], { axis: 0 }),
          ]);
    }
    let dwt = emit.op('Conv', [xt, emit.transpose(dy, swap01)], {
      strides: geo.dilations,
      dilations: geo.strides,
      pads,
      group,
    });
    // The correlation covers kernel + floor(rem / dilation) taps; keep the kernel's.
    if (rem.some((r, i) => r === null || r >= geo.dilations[i])) dwt = emit.slice(dwt, new Array(n).fill(0), kernel, spatialAxes);
    grads[1] = emit.transpose(dwt, swap01);
  }
  return grads;
};

/**
 * Whether dW is computed by {@link weightGradGemm}: group 1, static spatial sizes, and an output larger
 * than the kernel (measured on ORT CPU: for kernel-sized outputs the batch-as-channels Conv is as fast
 * and skips the im2col copies).
 */
function preferGemm(group: number, kernel: number[], spatial: readonly Dim[], geo: WindowGeometry): boolean {
  if (group !== 1 || !spatial.every((d) => typeof d === 'number')) return false;
  const outputs = spatial.reduce<number>((p, d, i) => p * (windowOutputSize(geo, i, d) as number), 1);
  return outputs > kernel.reduce((p, k) => p * k, 1);
}

/**
 * dW of a group-1 Conv with static spatial sizes as one GEMM per kernel tap: dW[:, :, t] = dY[M, N·P] ·
 * Xₜ[N·P, C], where Xₜ is the tap's window of the channels-last X gathered by a strided Slice (im2col
 * without the Concat: the K small GEMMs read each Slice where it lies, measured faster on ORT's CPU than
 * copying all taps into one matrix for a single GEMM). Runtimes run this faster than the
 * batch-as-channels Conv, whose output is only kernel-sized (a GEMM with a handful of columns).
 */
function weightGradGemm(ctx: GradientContext, x: string, dy: string, wShape: number[], geo: WindowGeometry, spatial: number[]): string {
  const { emit } = ctx;
  const [m, c, ...kernel] = wShape;
  const n = kernel.length;
  const axes = range(2, 2 + n);
  const padsBegin = geo.padsBegin as number[];
  const padsEnd = geo.padsEnd as number[];
  const out = spatial.map((d, i) => windowOutputSize(geo, i, d) as number);
  // Channels last, so that each tap's window is copied in runs of a whole row of channels rather than a
  // few elements of one channel's row.
  let xt = emit.transpose(x, [0, ...axes, 1]); // [N, ...S, C]
  if ([...padsBegin, ...padsEnd].some((v) => v > 0)) xt = emit.op('Pad', [xt, emit.ints([0, ...padsBegin, 0, 0, ...padsEnd, 0])]);
  const steps = emit.ints(geo.strides);
  const axesInput = emit.ints(range(1, 1 + n));
  const taps = tapOffsets(kernel).map((tap) => {
    const starts = tap.map((t, i) => t * geo.dilations[i]);
    const ends = starts.map((st, i) => st + (out[i] - 1) * geo.strides[i] + 1);
    return emit.op('Slice', [xt, emit.ints(starts), emit.ints(ends), axesInput, steps]);
  });
  const k = taps.length;
  const dyRows = emit.reshape(emit.transpose(dy, [1, 0, ...axes]), [m, -1]); // [M, N·P]
  // [M, C, K] in tap order, which is the kernel's row-major order.
  const per = taps.map((t) => emit.unsqueeze(emit.op('Gemm', [dyRows, emit.reshape(t, [-1, c])]), [2]));
  return emit.reshape(k === 1 ? per[0] : emit.op('Concat', per, { axis: 2 }), wShape);
}

/** Offsets of a kernel's taps, row-major. */
function tapOffsets(kernel: readonly number[]): number[][] {
  return kernel.reduce<number[][]>((acc, k) => acc.flatMap((o) => range(0, k).map((v) => [...o, v])), [[]]);
}

/** Rules for convolutions. */
export const CONV_RULES: Readonly<Record<string, GradientRule>> = { Conv: conv };

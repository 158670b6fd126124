import { intAttr, intsAttr } from '../../../onnx/attributes.js';
import { INT64_MAX } from '../emitter.js';
import { effectiveKernel, windowGeometry } from '../geometry.js';
import type { GradientRule } from '../types.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

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

  if (ctx.needs[1]) {
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

/** Rules for convolutions. */
export const CONV_RULES: Readonly<Record<string, GradientRule>> = { Conv: conv };

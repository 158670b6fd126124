import { intsAttr } from '../../../onnx/attributes.js';
import type { DataType } from '../../../onnx/dtype.js';
import type { Dim } from '../../../onnx/ir.js';
import { prod, range } from '../arrays.js';
import { INT64_MAX } from '../emitter.js';
import { effectiveKernel, windowGeometry, windowOutputSize, type WindowGeometry } from '../../../onnx/window-geometry.js';
import type { GradientContext } from '../types.js';


/**
 * A pooling node's windows. Spatial sizes may be unknown: then shapes are taken at run time, the
 * ConvTranspose scatter uses the largest output_padding and is sliced to Shape(X).
 */
export interface Pooling {
  x: string;
  y: string;
  dy: string;
  dtype: DataType;
  kernel: number[];
  /** Input spatial sizes (null: unknown). */
  size: Dim[];
  /** Output spatial sizes (null: unknown). */
  out: (number | null)[];
  /** All sizes static. */
  known: boolean;
  geo: WindowGeometry;
  padsBegin: number[];
  /** End pads, widened so that a floor-mode Conv yields the pooling's windows (ceil_mode). */
  padsEnd: number[];
}

/** Reads a pooling node; fails when auto_pad SAME needs unknown sizes. */
export function pooling(ctx: GradientContext): Pooling {
  const { node } = ctx;
  const x = node.inputs[0];
  const kernel = intsAttr(node, 'kernel_shape');
  if (!kernel) return ctx.fail("attribute 'kernel_shape' is missing");
  const n = kernel.length;
  const size = ctx.shapeOf(x)?.slice(2) ?? new Array<Dim>(n).fill(null);
  const geo = windowGeometry(node, kernel, size, 'pool');
  if (geo.padsBegin.some((p) => p === null)) return ctx.fail(`auto_pad SAME with stride > 1 needs the static spatial size of '${x}'`);
  const declared = ctx.shapeOf(node.outputs[0])?.slice(2);
  const out = size.map((d, i) => (typeof declared?.[i] === 'number' ? (declared[i] as number) : windowOutputSize(geo, i, d)));
  const known = size.every((d) => typeof d === 'number') && out.every((o) => o !== null);
  const padsBegin = geo.padsBegin as number[];
  const padsEnd = (geo.padsEnd as number[]).map((pe, i) =>
    known
      ? Math.max(pe, ((out[i] as number) - 1) * geo.strides[i] + effectiveKernel(geo, i) - (size[i] as number) - padsBegin[i])
      : pe + (geo.ceil ? geo.strides[i] - 1 : 0),
  );
  return { x, y: node.outputs[0], dy: ctx.outputGrads[0] as string, dtype: ctx.dtypeOf(x), kernel, size, out, known, geo, padsBegin, padsEnd };
}

/** Conv/ConvTranspose attributes walking the pooling's windows. */
export function windowAttrs(p: Pooling): Record<string, number[]> {
  return { kernel_shape: p.kernel, strides: p.geo.strides, dilations: p.geo.dilations, pads: [...p.padsBegin, ...p.padsEnd] };
}

/** Runtime spatial shape of `v` (1-D int64). */
function spatialShape(ctx: GradientContext, v: string): string {
  return ctx.emit.op('Slice', [ctx.emit.op('Shape', [v]), ctx.emit.ints([2]), ctx.emit.ints([INT64_MAX])]);
}

/** `v` [N, C, ...dims] as [N·C, 1, ...dims]. */
export function perChannel(ctx: GradientContext, p: Pooling, v: string, dims: readonly Dim[]): string {
  const { emit } = ctx;
  if (p.known) return emit.reshape(v, [-1, 1, ...(dims as number[])]);
  return emit.op('Reshape', [v, emit.op('Concat', [emit.ints([-1, 1]), spatialShape(ctx, v)], { axis: 0 })]);
}

/** `v` [N, C, ...out] as [N·C, ...out, 1]: one value per window, against its taps on the last axis. */
export function perWindow(ctx: GradientContext, p: Pooling, v: string): string {
  const { emit } = ctx;
  if (p.known) return emit.unsqueeze(emit.reshape(v, [-1, ...(p.out as number[])]), [-1]);
  return emit.op('Reshape', [v, emit.op('Concat', [emit.ints([-1]), spatialShape(ctx, v), emit.ints([1])], { axis: 0 })]);
}

/** Ones shaped [1, 1, ...input spatial size] (constant-folded by runtimes when static). */
export function onesLikeInput(ctx: GradientContext, p: Pooling): string {
  const { emit } = ctx;
  const shape = p.known ? emit.ints([1, 1, ...(p.size as number[])]) : emit.op('Concat', [emit.ints([1, 1]), spatialShape(ctx, p.x)], { axis: 0 });
  return emit.op('Expand', [emit.scalar(1, p.dtype), shape]);
}

/**
 * Scatters per-window gradients g [N·C, taps, ...out] back onto the input grid with a ConvTranspose
 * over `kernels`, and reshapes to X.
 */
export function scatterBack(ctx: GradientContext, p: Pooling, g: string, kernels: string): string {
  const { emit } = ctx;
  const n = p.kernel.length;
  const pad = p.known
    ? p.size.map((d, i) => (d as number) - (((p.out[i] as number) - 1) * p.geo.strides[i] + effectiveKernel(p.geo, i) - p.padsBegin[i] - p.padsEnd[i]))
    : p.geo.strides.map((s) => s - 1);
  let dx = emit.op('ConvTranspose', [g, kernels], { ...windowAttrs(p), output_padding: pad.some((v) => v) ? pad : undefined });
  if (!p.known && pad.some((v) => v)) dx = emit.op('Slice', [dx, emit.ints(new Array(n).fill(0)), spatialShape(ctx, p.x), emit.ints(range(2, 2 + n))]);
  // A constant target when only the batch is unknown: a runtime Shape(X) becomes an int64 Gather on the
  // CPU under WebGPU's layout transform.
  const channels = ctx.shapeOf(p.x)?.[1];
  if (p.known && typeof channels === 'number') return emit.reshape(dx, [-1, channels, ...(p.size as number[])]);
  return emit.reshapeLike(dx, p.x);
}

/**
 * Keeps only the first 1 along the last axis (length k) of a 0/1 float mask: m·Relu(1 − m·U) with U
 * strictly upper-triangular ones (counts of earlier ones). Portable: no CumSum, ArgMax or int ops.
 */
export function firstOnly(ctx: GradientContext, m: string, k: number, dtype: DataType): string {
  if (k === 1) return m;
  const u = Array.from({ length: k * k }, (_, idx) => (Math.floor(idx / k) < idx % k ? 1 : 0));
  const before = ctx.emit.op('MatMul', [m, ctx.emit.floats(dtype, u, [k, k])]);
  return ctx.emit.mul(m, ctx.emit.op('Relu', [ctx.emit.sub(ctx.emit.scalar(1, dtype), before)]));
}

/** One-hot kernels [K, 1, ...kernel]: output channel j picks window tap j (row-major). */
export function oneHotKernels(ctx: GradientContext, p: Pooling): string {
  const k = prod(p.kernel);
  const values = Array.from({ length: k * k }, (_, idx) => (Math.floor(idx / k) === idx % k ? 1 : 0));
  return ctx.emit.floats(p.dtype, values, [k, 1, ...p.kernel]);
}

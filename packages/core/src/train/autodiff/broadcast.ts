import type { Dim } from '../../onnx/ir.js';
import { makeTensor } from '../../onnx/tensor.js';
import type { Emitter } from './emitter.js';
import { broadcastShapes } from '../../onnx/shape-inference/dims.js';
import type { GradientContext } from './types.js';

/**
 * Axes of a gradient shaped `out` to sum so that it gets the shape `target` (numpy broadcasting, target
 * aligned to the right): the leading axes, and the axes where target has 1 and `out` may not. Returns
 * undefined when a target dim is unknown (null) where `out` is not 1, so the answer cannot be told.
 */
export function broadcastAxes(target: readonly Dim[], out: readonly Dim[]): number[] | undefined {
  const lead = out.length - target.length;
  if (lead < 0) return undefined;
  const axes = Array.from({ length: lead }, (_, i) => i);
  for (let i = 0; i < target.length; i++) {
    const t = target[i];
    const o = out[lead + i];
    if (t === 1 && o !== 1) axes.push(lead + i);
    else if (t === null && o !== 1 && o !== t) return undefined;
  }
  return axes;
}

/** Sums `g` over `axes` (leading `lead` axes dropped, the others kept as 1) — one ReduceSum and a Squeeze. */
export function sumAxes(emit: Emitter, g: string, axes: readonly number[], lead: number, targetRank: number): string {
  if (axes.length === 0) return g;
  if (targetRank === 0) return emit.reduceSum(g, undefined, false);
  const r = emit.reduceSum(g, axes, true);
  return emit.squeeze(
    r,
    Array.from({ length: lead }, (_, i) => i),
  );
}

/**
 * Un-broadcast decided at run time, for when static shapes are missing: sums `g` over the axes where
 * Shape(target), left-padded with 1s, is smaller than Shape(g), then reshapes to Shape(target). Standard
 * ops (opset ≥ 13: ReduceSum takes runtime axes), but int64 Less/NonZero: under WebGPU these small shape
 * computations run on the CPU. Static shapes (via `shapeOf`) avoid it.
 */
export function dynamicUnbroadcast(emit: Emitter, g: string, target: string): string {
  const gShape = emit.op('Shape', [g]);
  const tShape = emit.op('Shape', [target]);
  const lead = emit.sub(emit.op('Shape', [gShape]), emit.op('Shape', [tShape]));
  const ones = emit.op('ConstantOfShape', [lead], { value: makeTensor('value', 'int64', [1], [1n]) });
  const padded = emit.op('Concat', [ones, tShape], { axis: 0 });
  const axes = emit.reshape(emit.op('NonZero', [emit.op('Less', [padded, gShape])]), [-1]);
  const summed = emit.op('ReduceSum', [g, axes], { keepdims: 1, noop_with_empty_axes: 1 });
  return emit.op('Reshape', [summed, tShape]);
}

/**
 * Gradient of input `index` of a broadcasting node (Add, Sub, Mul, Div, Where, ...) from `g`, a gradient
 * shaped like the node's output: sums over the broadcast axes and drops the leading ones. Needs the
 * input's static shape, unless every other input is statically no larger than it. `outShape` overrides the
 * output shape for nodes whose other inputs are not broadcast partners (Gemm's C).
 */
export function unbroadcast(ctx: GradientContext, g: string, index: number, outShape?: Dim[]): string {
  const { node } = ctx;
  const shapes = outShape
    ? node.inputs.map((n, i) => (i === index ? ctx.shapeOf(n) : outShape))
    : node.inputs.map((n) => (n ? ctx.shapeOf(n) : []));
  const target = shapes[index];
  const known = shapes.every((s) => s !== undefined);
  const out = outShape ?? ctx.shapeOf(node.outputs[0]) ?? (known ? broadcastShapes(shapes as Dim[][]) : undefined);
  if (!target) {
    // An input of unknown shape needs no sum when the others are all scalars/ones: it fixes the output shape.
    const others = shapes.filter((_, i) => i !== index);
    if (others.every((s) => s !== undefined && s.every((d) => d === 1))) {
      const maxOther = Math.max(0, ...others.map((s) => s!.length));
      const rank = ctx.rankOf(node.outputs[0]);
      if (maxOther === 0 || (rank !== undefined && rank >= maxOther)) return g;
    }
    return fallback(ctx, g, index, `the static shape of input '${node.inputs[index]}' is unknown, so its broadcast axes cannot be told`);
  }
  if (!out) return fallback(ctx, g, index, `the static rank of output '${node.outputs[0]}' is unknown`);
  // A null dim of the target is resolved when no other input can broadcast against it.
  const resolved = target.map((d, i) => {
    if (d !== null) return d;
    const axis = out.length - target.length + i;
    const otherOnes = shapes.every((s, j) => j === index || (s !== undefined && (s.length - out.length + axis < 0 || s[s.length - out.length + axis] === 1)));
    return otherOnes ? out[axis] ?? 'unknown' : null;
  });
  const axes = broadcastAxes(resolved, out);
  if (!axes) return fallback(ctx, g, index, `cannot tell which axes of '${node.inputs[index]}' [${target.join(', ')}] broadcast against [${out.join(', ')}]`);
  return sumAxes(ctx.emit, g, axes, out.length - target.length, target.length);
}

/** The runtime un-broadcast where the emitted opset allows it; else a GradientRuleError. */
function fallback(ctx: GradientContext, g: string, index: number, reason: string): string {
  if (ctx.emit.opset >= 13) return dynamicUnbroadcast(ctx.emit, g, ctx.node.inputs[index]);
  return ctx.fail(`${reason} (pass shapeOf, or emit opset >= 13 for a runtime un-broadcast)`);
}

import { intAttr } from '../../../onnx/attributes.js';
import { dataTypeCode } from '../../../onnx/dtype.js';
import { constantInts } from '../graph-info.js';
import type { GradientContext, GradientRule } from '../types.js';
import { range } from '../arrays.js';

/** `v` as int64 (Slice's starts may be int32). */
function asInt64(ctx: GradientContext, v: string): string {
  return ctx.dtypeOf(v) === 'int64' ? v : ctx.emit.op('Cast', [v], { to: dataTypeCode('int64') });
}

/**
 * Slice (opset ≥ 10) with unit steps: dX = dY padded with zeros back to X's extent. Constant starts/ends over static
 * dims give constant pads (one Pad, placed on every execution provider) — also bounds that PyTorch's
 * `chunk` (shufflenet) computes from Shape/Gather/Div when the dims they read are static. Bounds only
 * known at run time are normalized and clamped at run time as Slice does, and the end pads are what is left of X's dims after the start and dY's size.
 */
const slice: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const x = node.inputs[0];
  const dy = ctx.outputGrads[0] as string;
  if (ctx.opset < 10) return ctx.fail('Slice before opset 10 (starts/ends as attributes) has no gradient rule');
  const starts = ctx.staticInts(node.inputs[1]);
  const ends = ctx.staticInts(node.inputs[2]);
  const axesIn = node.inputs[3] ? constantInts(ctx, node.inputs[3]) : undefined;
  if (node.inputs[3] && !axesIn) return ctx.fail('the axes must be constant');
  const steps = node.inputs[4] ? constantInts(ctx, node.inputs[4]) : undefined;
  if (node.inputs[4] && !steps) return ctx.fail('the steps must be constant');
  if (steps?.some((s) => s !== 1)) return ctx.fail(`steps other than 1 are not supported (got [${steps.join(', ')}])`);
  const rank = ctx.rankOf(x);
  if (rank === undefined) return ctx.fail(`the static rank of '${x}' is needed`);
  const count = starts?.length ?? ctx.shapeOf(node.inputs[1])?.[0];
  if (typeof count !== 'number') return ctx.fail('the number of sliced axes must be static');
  const axes = (axesIn ?? range(0, count)).map((a) => (a < 0 ? a + rank : a));
  const shape = ctx.shapeOf(x);
  const dims = axes.map((a) => shape?.[a]);

  if (starts && ends && dims.every((d) => typeof d === 'number')) {
    const pads = new Array<number>(2 * rank).fill(0);
    axes.forEach((a, i) => {
      const d = dims[i] as number;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
      const begin = clamp(starts[i]);
      pads[a] = begin;
      pads[a + rank] = d - Math.max(clamp(ends[i]), begin);
    });
    return [emit.op('Pad', [dy, emit.ints(pads)])];
  }

  const axesConst = emit.ints(axes);
  const zero = emit.ints([0], []);
  const xDims = emit.op('Gather', [emit.op('Shape', [x]), axesConst], { axis: 0 });
  let begin = asInt64(ctx, node.inputs[1]);
  begin = emit.where(emit.op('Less', [begin, zero]), emit.add(begin, xDims), begin);
  begin = emit.op('Max', [emit.op('Min', [begin, xDims]), zero]);
  const size = emit.op('Gather', [emit.op('Shape', [dy]), axesConst], { axis: 0 });
  const after = emit.sub(emit.sub(xDims, begin), size);
  const none = emit.ints(new Array<number>(rank).fill(0));
  const full = (v: string) => emit.op('ScatterElements', [none, axesConst, v], { axis: 0 });
  return [emit.op('Pad', [dy, emit.op('Concat', [full(begin), full(after)], { axis: 0 })])];
};

/** Split: dX = the outputs' gradients concatenated back along the axis (zeros for outputs without one). */
const split: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const axis = intAttr(node, 'axis', 0);
  const dtype = ctx.dtypeOf(node.inputs[0]);
  const parts = node.outputs.map((y, i) => {
    const dy = ctx.outputGrads[i];
    if (dy) return dy;
    const shape = ctx.shapeOf(y);
    const target = shape?.every((d) => typeof d === 'number') ? emit.ints(shape as number[]) : emit.op('Shape', [y]);
    return emit.op('Expand', [emit.scalar(0, dtype), target]);
  });
  return [parts.length === 1 ? parts[0] : emit.op('Concat', parts, { axis })];
};

/** Rules for ops that cut a tensor into parts. */
export const SLICING_RULES: Readonly<Record<string, GradientRule>> = {
  Slice: slice,
  Split: split,
};

import { intAttr, intsAttr, stringAttr } from '../../../onnx/attributes.js';
import { INT64_MAX } from '../emitter.js';
import { unbroadcast } from '../broadcast.js';
import { axesOf, constantInts } from '../graph-info.js';
import type { GradientContext, GradientRule } from '../types.js';

/** dX = dY reshaped to X's shape: a constant when fully static, else the runtime Shape(X). */
function reshapeBack(ctx: GradientContext): string {
  const x = ctx.node.inputs[0];
  const dy = ctx.outputGrads[0] as string;
  const shape = ctx.shapeOf(x);
  // A constant target shape (with -1 for one unknown dim, typically the batch) keeps the graph free of
  // Shape: WebGPU's layout pass turns Shape into an int64 Gather that falls back to the CPU.
  const unknown = shape ? shape.filter((d) => typeof d !== 'number').length : Infinity;
  if (shape && unknown <= 1 && !shape.includes(0)) {
    return ctx.emit.reshape(dy, shape.map((d) => (typeof d === 'number' ? d : -1)));
  }
  return ctx.emit.reshapeLike(dy, x);
}

/** Flatten, Reshape, Squeeze, Unsqueeze: only the layout changes. */
const reshapeLike: GradientRule = (ctx) => [reshapeBack(ctx)];

/** Transpose: dX = Transpose(dY, inverse perm); without perm the reversal is its own inverse. */
const transpose: GradientRule = (ctx) => {
  const perm = intsAttr(ctx.node, 'perm');
  const dy = ctx.outputGrads[0] as string;
  return [ctx.emit.transpose(dy, perm ? perm.map((_, i) => perm.indexOf(i)) : undefined)];
};

/** Concat: each needed input's slice of dY (static offsets, or a Split by the runtime sizes). */
const concat: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const dy = ctx.outputGrads[0] as string;
  const axis = intAttr(node, 'axis', 0);
  const sizes = node.inputs.map((x) => {
    const s = ctx.shapeOf(x);
    const d = s?.[axis < 0 ? s.length + axis : axis];
    return typeof d === 'number' ? d : null;
  });
  if (sizes.every((d) => d !== null)) {
    let offset = 0;
    return node.inputs.map((_, i) => {
      const start = offset;
      offset += sizes[i] as number;
      return ctx.needs[i] ? emit.slice(dy, [start], [offset], [axis]) : undefined;
    });
  }
  if (emit.opset < 13) return ctx.fail(`the static sizes of the inputs along axis ${axis} are needed before opset 13`);
  const end = axis === -1 ? INT64_MAX : axis + 1;
  const split = emit.op(
    'Concat',
    node.inputs.map((x) => emit.op('Slice', [emit.op('Shape', [x]), emit.ints([axis]), emit.ints([end])])),
    { axis: 0 },
  );
  const outs = ctx.builder.node('Split', [dy, split], { axis }, { outputs: node.inputs.length });
  return outs.map((o, i) => (ctx.needs[i] ? o : undefined));
};

/**
 * Pad (constant mode): dX = the un-padded window of dY (Slice; negative pads, which crop, are padded back
 * with zeros). Pads computed at run time (PyTorch exports build them from Constants) are read at run time
 * and must be non-negative. d(constant_value) = ΣdY − ΣdX.
 */
const pad: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const mode = stringAttr(node, 'mode', 'constant');
  if (mode !== 'constant') return ctx.fail(`mode '${mode}' has no gradient rule (only 'constant')`);
  const axesIn = node.inputs[3];
  const constAxes = axesIn ? constantInts(ctx, axesIn) : undefined;
  if (axesIn && !constAxes) return ctx.fail('the axes must be constant');
  const pads = intsAttr(node, 'pads') ?? constantInts(ctx, node.inputs[1]);
  const dy = ctx.outputGrads[0] as string;
  let dx: string;
  if (!pads) {
    const r = constAxes?.length ?? ctx.rankOf(node.inputs[0]);
    if (r === undefined) return ctx.fail('runtime pads need the static rank of the input');
    const p = node.inputs[1];
    const begin = emit.op('Slice', [p, emit.ints([0]), emit.ints([r])]);
    const end = emit.op('Slice', [p, emit.ints([r]), emit.ints([2 * r])]);
    let sizes = emit.op('Shape', [dy]);
    if (constAxes) sizes = emit.op('Gather', [sizes, emit.ints(constAxes)], { axis: 0 });
    const axes = constAxes ?? Array.from({ length: r }, (_, i) => i);
    dx = emit.op('Slice', [dy, begin, emit.sub(sizes, end), emit.ints(axes)]);
  } else {
    dx = padBack(ctx, dy, pads, constAxes);
  }
  const dvalue = ctx.needs[2] ? emit.sub(emit.reduceSum(dy, undefined, false), emit.reduceSum(dx, undefined, false)) : undefined;
  return [dx, undefined, dvalue];
};

/** The inverse window of constant pads: Slice the positive ones off, Pad zeros where they cropped. */
function padBack(ctx: GradientContext, dy: string, pads: number[], constAxes: number[] | undefined): string {
  const { emit } = ctx;
  const r = pads.length / 2;
  const axes = constAxes ?? Array.from({ length: r }, (_, i) => i);
  const begin = pads.slice(0, r);
  const end = pads.slice(r);
  let dx = dy;
  if (pads.some((v) => v > 0)) {
    dx = emit.slice(
      dy,
      begin.map((b) => Math.max(b, 0)),
      end.map((e) => (e > 0 ? -e : INT64_MAX)),
      axes,
    );
  }
  if (pads.some((v) => v < 0)) {
    const rank = ctx.rankOf(ctx.node.inputs[0]);
    if (rank === undefined) return ctx.fail('negative pads need the static rank of the input');
    const full = new Array<number>(2 * rank).fill(0);
    axes.forEach((a, i) => {
      const ax = a < 0 ? a + rank : a;
      full[ax] = Math.max(-begin[i], 0);
      full[ax + rank] = Math.max(-end[i], 0);
    });
    dx = emit.op('Pad', [dx, emit.ints(full)]);
  }
  return dx;
}

/** Expand: dX = dY summed over the expanded axes. */
const expand: GradientRule = (ctx) => [unbroadcast(ctx, ctx.outputGrads[0] as string, 0, ctx.shapeOf(ctx.node.outputs[0]))];

/** ReduceSum / ReduceMean: dY (axes restored) expanded back to X, divided by the count for the mean. */
function reduceRule(mean: boolean): GradientRule {
  return (ctx) => {
    const { emit, node } = ctx;
    const x = node.inputs[0];
    let dy = ctx.outputGrads[0] as string;
    const axes = axesOf(ctx, node);
    if (!axes && node.inputs[1]) return ctx.fail('the axes must be constant');
    const all = !axes || axes.length === 0;
    if (all && intAttr(node, 'noop_with_empty_axes', 0) === 1) return [dy];
    const shape = ctx.shapeOf(x);
    const rank = shape?.length;
    if (rank === undefined && !(all || intAttr(node, 'keepdims', 1) === 1)) return ctx.fail(`the static rank of '${x}' is needed`);
    const reduced = all ? Array.from({ length: rank ?? 0 }, (_, i) => i) : axes.map((a) => (a < 0 ? a + (rank as number) : a));
    if (intAttr(node, 'keepdims', 1) !== 1 && !all) dy = emit.unsqueeze(dy, [...reduced].sort((a, b) => a - b));
    // With the reduced dims static, dY (full size elsewhere) expands to a constant [1…, d…, 1…]: no
    // runtime Shape, which WebGPU's layout transform would turn into an int64 Gather on the CPU.
    const reducedStatic = shape && reduced.every((a) => typeof shape[a] === 'number');
    const xShape = reducedStatic ? emit.ints(shape.map((d, i) => (reduced.includes(i) ? (d as number) : 1))) : emit.op('Shape', [x]);
    let dx = emit.op('Expand', [dy, xShape]);
    if (mean) {
      const dims = shape ? reduced.map((a) => shape[a]) : undefined;
      const dtype = ctx.dtypeOf(x);
      if (dims && dims.every((d) => typeof d === 'number')) {
        dx = emit.mul(dx, emit.scalar(1 / (dims as number[]).reduce((p, d) => p * d, 1), dtype));
      } else {
        const ones = emit.op('Expand', [emit.scalar(1, dtype), xShape]);
        dx = emit.div(dx, all ? emit.reduceSum(ones, undefined, false) : emit.reduceSum(ones, reduced, true));
      }
    }
    return [dx];
  };
}

/** Rules for layout ops and reductions. */
export const LAYOUT_RULES: Readonly<Record<string, GradientRule>> = {
  Flatten: reshapeLike,
  Reshape: reshapeLike,
  Squeeze: reshapeLike,
  Unsqueeze: reshapeLike,
  Transpose: transpose,
  Concat: concat,
  Pad: pad,
  Expand: expand,
  ReduceSum: reduceRule(false),
  ReduceMean: reduceRule(true),
};

import { intAttr, intsAttr } from '../../attributes.js';
import type { Dim } from '../../ir.js';
import { normalizeAxis, type ShapeContext, type ShapeRule } from '../context.js';
import { broadcastShapes, formatShape, unifyDim } from '../dims.js';

/** Transpose: dims permuted by `perm` (reversed by default). */
export const transpose: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  if (!dtype) return [undefined];
  if (!x) return [{ dtype }];
  const perm = intsAttr(ctx.node, 'perm', x.map((_, i) => x.length - 1 - i));
  const sorted = [...perm].sort((p, q) => p - q);
  if (perm.length !== x.length || sorted.some((p, i) => p !== i)) {
    ctx.fail(`perm [${perm.join(', ')}] is not a permutation of the ${x.length} dims of ${formatShape(x)}`);
  }
  return [{ dtype, shape: perm.map((p) => x[p]) }];
};

/** Concat: sizes add up along `axis`; every other dim must agree. */
export const concat: ShapeRule = (ctx: ShapeContext) => {
  const n = ctx.node.inputs.length;
  let dtype = undefined;
  for (let i = 0; i < n && !dtype; i++) dtype = ctx.dtype(i);
  if (!dtype) return [undefined];
  const shapes: Dim[][] = [];
  for (let i = 0; i < n; i++) {
    const s = ctx.shape(i);
    if (!s) return [{ dtype }];
    shapes.push(s);
  }
  const rank = shapes[0].length;
  if (shapes.some((s) => s.length !== rank)) ctx.fail(`inputs have different ranks: ${shapes.map((s) => formatShape(s)).join(', ')}`);
  const axis = normalizeAxis(ctx, intAttr(ctx.node, 'axis', 1), rank);
  const out: Dim[] = [];
  for (let d = 0; d < rank; d++) {
    if (d === axis) {
      const sizes = shapes.map((s) => s[d]);
      out.push(sizes.every((v) => typeof v === 'number') ? (sizes as number[]).reduce((p, q) => p + q, 0) : null);
      continue;
    }
    let v: Dim | undefined = shapes[0][d];
    for (const s of shapes) {
      v = unifyDim(v ?? null, s[d]);
      if (v === undefined) ctx.fail(`inputs differ in dim ${d} (not the concat axis ${axis}): ${shapes.map((x) => formatShape(x)).join(', ')}`);
    }
    out.push(v ?? null);
  }
  const datas = shapes.map((_, i) => ctx.data(i));
  const data = rank === 1 && datas.every((x) => x !== undefined) ? datas.flat() : undefined;
  return [{ dtype, shape: out, data }];
};

/** Pad: each dim grows by its begin and end pads (negative pads crop). */
export const pad: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  if (!dtype) return [undefined];
  if (!x) return [{ dtype }];
  const pads = ctx.opset < 2 ? intsAttr(ctx.node, 'paddings') : ctx.opset < 11 ? intsAttr(ctx.node, 'pads') : ctx.ints(1);
  if (!pads) return [{ dtype, shape: x.map(() => null) }];
  let axes = x.map((_, i) => i);
  if (ctx.opset >= 18 && ctx.has(3)) {
    const given = ctx.ints(3);
    if (!given) return [{ dtype, shape: x.map(() => null) }];
    axes = given.map((a) => normalizeAxis(ctx, a, x.length, 'pad axis'));
  }
  if (pads.length !== 2 * axes.length) ctx.fail(`pads has ${pads.length} values, expected ${2 * axes.length} for ${formatShape(x)}`);
  const out = [...x];
  axes.forEach((a, i) => {
    const grow = pads[i] + pads[i + axes.length];
    const d = x[a];
    out[a] = typeof d === 'number' ? d + grow : grow === 0 ? d : null;
    if (typeof out[a] === 'number' && (out[a] as number) < 0) ctx.fail(`pads [${pads.join(', ')}] crop dim ${a} of ${formatShape(x)} below zero`);
  });
  return [{ dtype, shape: out }];
};

/** Largest int64, as it arrives in JS numbers; ends at or above it mean "to the end". */
const END = 2 ** 31 - 1;

/** Slice: starts/ends/axes/steps from attributes (opset < 10) or from constant inputs. */
export const slice: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  if (!dtype) return [undefined];
  if (!x) return [{ dtype }];
  const fromAttrs = ctx.opset < 10;
  const starts = fromAttrs ? intsAttr(ctx.node, 'starts') : ctx.ints(1);
  const ends = fromAttrs ? intsAttr(ctx.node, 'ends') : ctx.ints(2);
  const givenAxes = fromAttrs ? intsAttr(ctx.node, 'axes') : ctx.has(3) ? ctx.ints(3) : undefined;
  const steps = fromAttrs ? undefined : ctx.has(4) ? ctx.ints(4) : undefined;
  const axesKnown = fromAttrs || !ctx.has(3) || givenAxes !== undefined;
  const stepsKnown = fromAttrs || !ctx.has(4) || steps !== undefined;
  if (!starts || !ends || !axesKnown || !stepsKnown) return [{ dtype, shape: x.map(() => null) }];
  if (starts.length !== ends.length) ctx.fail(`starts and ends differ in length (${starts.length} vs ${ends.length})`);
  const axes = (givenAxes ?? starts.map((_, i) => i)).map((a) => normalizeAxis(ctx, a, x.length, 'slice axis'));
  if (axes.length !== starts.length) ctx.fail(`axes has ${axes.length} values, starts ${starts.length}`);
  const out = [...x];
  const data = ctx.data(0);
  let outData = x.length === 1 ? data : undefined;
  axes.forEach((a, i) => {
    const step = steps?.[i] ?? 1;
    if (step === 0) ctx.fail(`steps must not be 0`);
    const d = x[a];
    if (typeof d !== 'number') {
      // An unbounded forward slice keeps a symbolic dim; anything else depends on its runtime size.
      out[a] = starts[i] === 0 && ends[i] >= END && step === 1 ? d : null;
      if (out[a] === null) outData = undefined;
      return;
    }
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let s = starts[i] < 0 ? starts[i] + d : starts[i];
    let e = ends[i] < 0 ? ends[i] + d : ends[i];
    if (step > 0) {
      s = clamp(s, 0, d);
      e = clamp(e, 0, d);
    } else {
      s = clamp(s, 0, d - 1);
      e = clamp(e, -1, d - 1);
    }
    const len = Math.max(0, Math.ceil((e - s) / step));
    out[a] = len;
    if (outData) outData = Array.from({ length: len }, (_, k) => outData![s + k * step]);
  });
  return [{ dtype, shape: out, data: outData }];
};

/** Gather: data dims before `axis`, then the indices' dims, then the rest. */
export const gather: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  const idx = ctx.shape(1);
  if (!dtype) return [undefined];
  if (!x || !idx) return [{ dtype }];
  const axis = normalizeAxis(ctx, intAttr(ctx.node, 'axis', 0), x.length);
  const shape = [...x.slice(0, axis), ...idx, ...x.slice(axis + 1)];
  const data = ctx.data(0);
  const indices = ctx.ints(1);
  let outData: Dim[] | undefined;
  if (data && indices && x.length === 1 && idx.length <= 1) {
    outData = indices.map((i) => data[i < 0 ? i + data.length : i] ?? null);
  }
  return [{ dtype, shape, data: outData }];
};

/** Expand: the input broadcast against the target shape. */
export const expand: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  if (!dtype) return [undefined];
  const target = ctx.data(1);
  if (!x || !target) return [{ dtype }];
  // A target dim of 1 keeps the input's dim, so broadcasting is exactly Expand's rule.
  const out = broadcastShapes([x, target]);
  if (!out) ctx.fail(`cannot expand ${formatShape(x)} to ${formatShape(target)}`);
  return [{ dtype, shape: out }];
};

/** Tile: each dim multiplied by its repeat count. */
export const tile: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  if (!dtype) return [undefined];
  const repeats = ctx.ints(1);
  if (!x || !repeats) return [{ dtype, shape: x?.map(() => null) }];
  if (repeats.length !== x.length) ctx.fail(`repeats has ${repeats.length} values, expected ${x.length}`);
  return [{ dtype, shape: x.map((d, i) => (typeof d === 'number' ? d * repeats[i] : repeats[i] === 1 ? d : null)) }];
};

/** GatherElements: the indices' shape, the data's dtype. */
export const gatherElements: ShapeRule = (ctx: ShapeContext) => {
  const dtype = ctx.dtype(0);
  const x = ctx.shape(0);
  const idx = ctx.shape(1);
  if (x && idx && x.length !== idx.length) ctx.fail(`data ${formatShape(x)} and indices ${formatShape(idx)} differ in rank`);
  return [dtype && { dtype, shape: idx }];
};

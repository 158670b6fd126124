import { float, floatAttr, intAttr } from '../../../onnx/attributes.js';
import type { Dim } from '../../../onnx/ir.js';
import { broadcastAxes, sumAxes, unbroadcast } from '../broadcast.js';
import { broadcastShapes } from '../../../onnx/shape-inference/dims.js';
import { range } from '../arrays.js';
import type { GradientContext, GradientRule } from '../types.js';


/** Swaps the last two axes of a rank-`rank` value. */
function swapLast(ctx: GradientContext, x: string, rank: number): string {
  const perm = range(0, rank);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return ctx.emit.transpose(x, perm);
}

/**
 * Sums a batched matmul gradient `g` (rank `gRank`: the output's batch dims + the operand's two matrix
 * dims) down to operand `i`'s shape. Only the batch dims can broadcast; leading ones need ranks only.
 */
function sumBatch(ctx: GradientContext, g: string, i: number, gRank: number, batchOut: Dim[] | undefined): string {
  const x = ctx.node.inputs[i];
  const rank = ctx.rankOf(x) as number;
  if (rank <= 2) return sumAxes(ctx.emit, g, range(0, gRank - rank), gRank - rank, rank);
  const shape = ctx.shapeOf(x) as Dim[];
  const axes = batchOut ? broadcastAxes(shape.slice(0, -2), batchOut) : undefined;
  if (!axes) ctx.fail(`cannot tell the batch broadcast of '${x}' (pass shapeOf)`);
  return sumAxes(ctx.emit, g, axes, gRank - rank, rank);
}

/** MatMul with numpy semantics: 1-D operands, batch dims and their broadcasting. */
const matmul: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const [a, b] = node.inputs;
  const dy = ctx.outputGrads[0] as string;
  const ra = ctx.rankOf(a);
  const rb = ctx.rankOf(b);
  if (ra === undefined || rb === undefined) return ctx.fail('the static ranks of both inputs are needed (pass shapeOf)');
  const [needA, needB] = ctx.needs;
  if (ra === 1 && rb === 1) return [needA ? emit.mul(dy, b) : undefined, needB ? emit.mul(dy, a) : undefined];
  if (ra === 1) {
    // a [K] · b [..., K, N] = y [..., N]
    const dy2 = emit.unsqueeze(dy, [-2]);
    return [
      needA ? emit.reduceSum(emit.op('MatMul', [dy2, swapLast(ctx, b, rb)]), range(0, rb - 1), false) : undefined,
      needB ? emit.mul(emit.unsqueeze(a, [-1]), dy2) : undefined,
    ];
  }
  if (rb === 1) {
    // a [..., M, K] · b [K] = y [..., M]
    return [
      needA ? emit.mul(emit.unsqueeze(dy, [-1]), b) : undefined,
      needB ? emit.reduceSum(emit.op('MatMul', [emit.unsqueeze(dy, [-2]), a]), range(0, ra - 1), false) : undefined,
    ];
  }
  const rank = Math.max(ra, rb);
  const sa = ctx.shapeOf(a);
  const sb = ctx.shapeOf(b);
  const batchOut = sa && sb ? broadcastShapes([sa.slice(0, -2), sb.slice(0, -2)]) : undefined;
  return [
    needA ? sumBatch(ctx, emit.op('MatMul', [dy, swapLast(ctx, b, rb)]), 0, rank, batchOut) : undefined,
    needB ? sumBatch(ctx, emit.op('MatMul', [swapLast(ctx, a, ra), dy]), 1, rank, batchOut) : undefined,
  ];
};

/** Gemm: Y = alpha·op(A)·op(B) + beta·C, each gradient one Gemm (C's summed to its broadcast shape). */
const gemm: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const [a, b, c] = node.inputs;
  const dy = ctx.outputGrads[0] as string;
  const alpha = float(floatAttr(node, 'alpha', 1));
  const beta = floatAttr(node, 'beta', 1);
  const tA = intAttr(node, 'transA', 0) === 1;
  const tB = intAttr(node, 'transB', 0) === 1;
  const g = (x: string, y: string, transA: boolean, transB: boolean) =>
    emit.op('Gemm', [x, y], { alpha, transA: transA ? 1 : 0, transB: transB ? 1 : 0 });
  let dc: string | undefined;
  if (ctx.needs[2] && c) {
    dc = unbroadcast(ctx, dy, 2, ctx.shapeOf(node.outputs[0]) ?? [null, null]);
    if (beta !== 1) dc = emit.mul(dc, emit.scalar(beta, ctx.dtypeOf(c)));
  }
  return [
    ctx.needs[0] ? (tA ? g(b, dy, tB, true) : g(dy, b, false, !tB)) : undefined,
    ctx.needs[1] ? (tB ? g(dy, a, true, tA) : g(a, dy, !tA, false)) : undefined,
    dc,
  ];
};

/** Rules for matrix products. */
export const LINEAR_RULES: Readonly<Record<string, GradientRule>> = {
  MatMul: matmul,
  Gemm: gemm,
};

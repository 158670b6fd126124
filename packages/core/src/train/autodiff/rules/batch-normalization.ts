import { floatAttr, intAttr } from '../../../onnx/attributes.js';
import type { DataType } from '../../../onnx/dtype.js';
import type { Dim } from '../../../onnx/ir.js';
import type { Emitter } from '../emitter.js';
import type { GradientContext, GradientRule } from '../types.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** The axes BatchNormalization reduces over: all but the channel axis 1. */
export const batchNormAxes = (rank: number): number[] => [0, ...range(2, rank)];

/** Whether the node normalizes with batch statistics (training_mode=1 since opset 14, extra outputs before). */
export function isBatchNormTraining(node: GradientContext['node'], opset: number): boolean {
  if (opset >= 14) return intAttr(node, 'training_mode', 0) === 1;
  return node.outputs.filter(Boolean).length > 1;
}

/** Counts made at run time, per emitter, by batch symbol (a symbol names one size throughout a model) and spatial size. */
const batchCounts = new WeakMap<Emitter, Map<string, string>>();

/** Sum of a tensor of ones shaped like `x` sliced to its first element on `axes` (finite `x`). */
function countOnes(emit: Emitter, x: string, axes: readonly number[], dtype: DataType): string {
  const first = emit.slice(x, axes.map(() => 0), axes.map(() => 1), axes);
  return emit.reduceSum(emit.add(emit.mul(first, emit.scalar(0, dtype)), emit.scalar(1, dtype)), undefined, false);
}

/**
 * The number of values each channel of `x` is normalized over (N·spatial), as a scalar of `dtype`: a
 * constant when those dims are static; with a symbolic batch and static spatial dims, the batch size
 * (counted once per symbol) times the spatial size; else counted from `x`. Counting ones avoids
 * Shape → Cast, which WebGPU does not run.
 */
export function perChannelCount(emit: Emitter, x: string, shape: readonly Dim[] | undefined, rank: number, dtype: DataType): { value: string; static?: number } {
  const axes = batchNormAxes(rank);
  const isSize = (d: Dim | undefined): d is number => typeof d === 'number' && d > 0;
  const spatial = shape ? axes.slice(1).map((a) => shape[a]) : undefined;
  const spatialSize = spatial?.every(isSize) ? (spatial as number[]).reduce((p, d) => p * d, 1) : undefined;
  const batch = shape?.[0];
  if (spatialSize !== undefined && isSize(batch)) return { value: emit.scalar(batch * spatialSize, dtype), static: batch * spatialSize };
  if (spatialSize === undefined || typeof batch !== 'string') return { value: countOnes(emit, x, [1], dtype) };
  let counts = batchCounts.get(emit);
  if (!counts) batchCounts.set(emit, (counts = new Map()));
  const cached = (key: string, make: () => string) => {
    let v = counts.get(key);
    if (!v) counts.set(key, (v = make()));
    return v;
  };
  const n = cached(`${dtype}|${batch}`, () => countOnes(emit, x, range(1, rank), dtype));
  return { value: spatialSize === 1 ? n : cached(`${dtype}|${batch}|${spatialSize}`, () => emit.mul(n, emit.scalar(spatialSize, dtype))) };
}

/**
 * Outputs 3 and 4 of a training-mode node at opset ≥ 14 (beyond ONNX's three), when present: X minus
 * its batch mean (shaped like X) and 1/√(var_B + ε) per channel ([C]), the forward's values the
 * backward needs (ORT's training kernels and cuDNN save the mean and inverse deviation the same way).
 * The artifact generator adds them and defines them when it lowers the node to standard ops
 * (train/artifacts/lower-batch-norm.ts).
 */
function savedStatistics(ctx: GradientContext): { centered: string; invStd: string } | undefined {
  const [, , , centered, invStd] = ctx.node.outputs;
  return ctx.opset >= 14 && centered && invStd ? { centered, invStd } : undefined;
}

/** 1/count per emitter and count value: the count of a batch symbol serves many nodes. */
const reciprocals = new WeakMap<Emitter, Map<string, string>>();

/**
 * BatchNormalization over axis 1. Inference mode (running statistics, the fine-tuning case): dX =
 * dY·scale/√(var+ε); dScale = Σ dY·x̂; dB = ΣdY; dMean, dVar too. Training mode (batch statistics,
 * PyTorch's batch_norm_backward): dX = scale/√(var_B+ε)·(dY − mean(dY) − x̂·mean(dY·x̂)), means over the
 * M = N·spatial values of a channel; the running statistics get none.
 */
const batchNormalization: GradientRule = (ctx) => {
  if (ctx.outputGrads.slice(1).some(Boolean)) ctx.fail('only output 0 (Y) can carry a gradient');
  const x = ctx.node.inputs[0];
  const rank = ctx.rankOf(x) ?? ctx.rankOf(ctx.node.outputs[0]);
  if (rank === undefined) return ctx.fail(`the static rank of '${x}' is needed`);
  return isBatchNormTraining(ctx.node, ctx.opset) ? trainingGrads(ctx, rank) : inferenceGrads(ctx, rank);
};

function inferenceGrads(ctx: GradientContext, rank: number): (string | undefined)[] {
  const { emit, node } = ctx;
  const [x, scale, , mean, variance] = node.inputs;
  const dtype = ctx.dtypeOf(x);
  const dy = ctx.outputGrads[0] as string;
  const axes = batchNormAxes(rank);
  const perChannel = (v: string) => emit.unsqueeze(v, range(1, rank - 1));
  const eps = emit.scalar(floatAttr(node, 'epsilon', 1e-5), dtype);

  const centered = emit.sub(x, perChannel(mean));
  const invStd = perChannel(emit.op('Reciprocal', [emit.op('Sqrt', [emit.add(variance, eps)])]));
  const sumDy = ctx.needs[2] || ctx.needs[3] ? emit.reduceSum(dy, axes, false) : undefined;
  const xhat = ctx.needs[0] || ctx.needs[1] ? emit.mul(centered, invStd) : undefined;
  const dyXhat = xhat && ctx.needs[1] ? emit.mul(dy, xhat) : undefined;
  const grads: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  if (ctx.needs[0]) grads[0] = emit.mul(dy, emit.mul(perChannel(scale), invStd));
  if (ctx.needs[1]) grads[1] = emit.reduceSum(dyXhat as string, axes, false);
  if (ctx.needs[2]) grads[2] = sumDy;
  if (ctx.needs[3] || ctx.needs[4]) {
    const std1 = emit.op('Reciprocal', [emit.op('Sqrt', [emit.add(variance, eps)])]);
    const gainC = emit.mul(scale, std1);
    if (ctx.needs[3]) grads[3] = emit.neg(emit.mul(sumDy as string, gainC));
    if (ctx.needs[4]) {
      // d/dvar of (x−μ)·(var+ε)^(−1/2) = −½(x−μ)(var+ε)^(−3/2)
      const s = emit.reduceSum(emit.mul(dy, centered), axes, false);
      const cube = emit.mul(std1, emit.mul(std1, std1));
      grads[4] = emit.mul(emit.mul(s, emit.mul(scale, cube)), emit.scalar(-0.5, dtype));
    }
  }
  return grads;
}

function trainingGrads(ctx: GradientContext, rank: number): (string | undefined)[] {
  const { emit, node } = ctx;
  const [x, scale] = node.inputs;
  const dtype = ctx.dtypeOf(x);
  const dy = ctx.outputGrads[0] as string;
  const axes = batchNormAxes(rank);
  const perChannel = (v: string) => emit.unsqueeze(v, range(1, rank - 1));

  let centered: string;
  let invStd: string;
  const saved = savedStatistics(ctx);
  if (saved) {
    centered = saved.centered;
    invStd = perChannel(saved.invStd);
  } else {
    const eps = emit.scalar(floatAttr(node, 'epsilon', 1e-5), dtype);
    centered = emit.sub(x, emit.reduceMean(x, axes, true));
    invStd = emit.op('Reciprocal', [emit.op('Sqrt', [emit.add(emit.reduceMean(emit.mul(centered, centered), axes, true), eps)])]);
  }
  const xhat = emit.mul(centered, invStd);
  // Per-channel sums serve dB and dScale and, divided by M, the means in dX: one pass over dY each.
  const sumDy = ctx.needs[0] || ctx.needs[2] ? emit.reduceSum(dy, axes, false) : undefined;
  const sumDyXhat = ctx.needs[0] || ctx.needs[1] ? emit.reduceSum(emit.mul(dy, xhat), axes, false) : undefined;
  const grads: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  if (ctx.needs[0]) {
    const count = perChannelCount(emit, x, ctx.shapeOf(x), rank, dtype);
    let invCount: string | undefined;
    if (count.static !== undefined) {
      invCount = emit.scalar(1 / count.static, dtype);
    } else {
      let cache = reciprocals.get(emit);
      if (!cache) reciprocals.set(emit, (cache = new Map()));
      invCount = cache.get(count.value);
      if (!invCount) cache.set(count.value, (invCount = emit.op('Reciprocal', [count.value])));
    }
    const meanDy = perChannel(emit.mul(sumDy as string, invCount));
    const meanDyXhat = perChannel(emit.mul(sumDyXhat as string, invCount));
    const gain = emit.mul(perChannel(scale), invStd);
    grads[0] = emit.mul(gain, emit.sub(emit.sub(dy, meanDy), emit.mul(xhat, meanDyXhat)));
  }
  if (ctx.needs[1]) grads[1] = sumDyXhat;
  if (ctx.needs[2]) grads[2] = sumDy;
  return grads;
}

/** The BatchNormalization rule. */
export const BATCH_NORMALIZATION_RULES: Readonly<Record<string, GradientRule>> = {
  BatchNormalization: batchNormalization,
};

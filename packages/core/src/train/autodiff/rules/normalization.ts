import { floatAttr, intAttr } from '../../../onnx/attributes.js';
import { dataTypeCode } from '../../../onnx/dtype.js';
import { tensorToNumbers } from '../../../onnx/tensor.js';
import type { GradientContext, GradientRule } from '../types.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Whether the node normalizes with batch statistics (training_mode=1 since opset 14, extra outputs before). */
function batchNormTraining(ctx: GradientContext): boolean {
  if (ctx.opset >= 14) return intAttr(ctx.node, 'training_mode', 0) === 1;
  return ctx.node.outputs.filter(Boolean).length > 1;
}

/**
 * BatchNormalization over axis 1. Inference mode (running statistics, the fine-tuning case): dX =
 * dY·scale/√(var+ε); dScale = Σ dY·x̂; dB = ΣdY; dMean, dVar too. Training mode (batch statistics):
 * dX = scale/√(var_B+ε)·(dY − mean(dY) − x̂·mean(dY·x̂)); the running statistics get none.
 */
const batchNormalization: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const [x, scale, , mean, variance] = node.inputs;
  if (ctx.outputGrads.slice(1).some(Boolean)) ctx.fail('only output 0 (Y) can carry a gradient');
  const rank = ctx.rankOf(x) ?? ctx.rankOf(node.outputs[0]);
  if (rank === undefined) return ctx.fail(`the static rank of '${x}' is needed`);
  const dtype = ctx.dtypeOf(x);
  const dy = ctx.outputGrads[0] as string;
  const axes = [0, ...range(2, rank)];
  const perChannel = (v: string) => emit.unsqueeze(v, range(1, rank - 1));
  const eps = emit.scalar(floatAttr(node, 'epsilon', 1e-5), dtype);
  const training = batchNormTraining(ctx);

  let centered: string;
  let invStd: string;
  if (training) {
    const mu = emit.reduceMean(x, axes, true);
    centered = emit.sub(x, mu);
    invStd = emit.op('Reciprocal', [emit.op('Sqrt', [emit.add(emit.reduceMean(emit.mul(centered, centered), axes, true), eps)])]);
  } else {
    centered = emit.sub(x, perChannel(mean));
    invStd = perChannel(emit.op('Reciprocal', [emit.op('Sqrt', [emit.add(variance, eps)])]));
  }
  const sumDy = ctx.needs[2] || (!training && ctx.needs[3]) ? emit.reduceSum(dy, axes, false) : undefined;
  const xhat = ctx.needs[0] || ctx.needs[1] ? emit.mul(centered, invStd) : undefined;
  const dyXhat = xhat && (ctx.needs[1] || training) ? emit.mul(dy, xhat) : undefined;
  const grads: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];

  if (ctx.needs[0]) {
    const gain = emit.mul(perChannel(scale), invStd);
    if (training) {
      const inner = emit.sub(emit.sub(dy, emit.reduceMean(dy, axes, true)), emit.mul(xhat as string, emit.reduceMean(dyXhat as string, axes, true)));
      grads[0] = emit.mul(gain, inner);
    } else {
      grads[0] = emit.mul(dy, gain);
    }
  }
  if (ctx.needs[1]) grads[1] = emit.reduceSum(dyXhat as string, axes, false);
  if (ctx.needs[2]) grads[2] = sumDy;
  if (!training && (ctx.needs[3] || ctx.needs[4])) {
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
};

/**
 * Dropout. Inference (opset < 12, no or false training_mode, ratio 0) is the identity. Training mode
 * (or a runtime training_mode): dX = Where(mask, dY·scale, 0) with scale = 1/(1−ratio) (1 when the runtime
 * flag is false); the mask output is added to the node when the model omitted it.
 */
const dropout: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const dy = ctx.outputGrads[0] as string;
  if (ctx.opset < 12) return [dy];
  const [x, ratioIn, trainingIn] = node.inputs;
  if (!trainingIn) return [dy];
  const trainingConst = ctx.constantOf(trainingIn);
  if (trainingConst && !tensorToNumbers(trainingConst)[0]) return [dy];
  const dtype = ctx.dtypeOf(x);
  const ratioConst = ratioIn ? ctx.constantOf(ratioIn) : undefined;
  const ratio = ratioIn ? (ratioConst ? tensorToNumbers(ratioConst)[0] : undefined) : 0.5;
  if (ratio === 0) return [dy];
  let scale =
    ratio !== undefined
      ? emit.scalar(1 / (1 - ratio), dtype)
      : emit.div(emit.scalar(1, dtype), emit.sub(emit.scalar(1, dtype), emit.op('Cast', [ratioIn], { to: dataTypeCode(dtype) })));
  if (!trainingConst) scale = emit.where(trainingIn, scale, emit.scalar(1, dtype));
  const mask = ctx.requireOutput(1);
  return [emit.where(mask, emit.mul(dy, scale), emit.scalar(0, dtype))];
};

/** Rules for normalization and regularization. */
export const NORMALIZATION_RULES: Readonly<Record<string, GradientRule>> = {
  BatchNormalization: batchNormalization,
  Dropout: dropout,
};

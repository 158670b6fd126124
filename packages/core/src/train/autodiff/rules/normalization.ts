import { dataTypeCode } from '../../../onnx/dtype.js';
import { tensorToNumbers } from '../../../onnx/tensor.js';
import type { GradientContext, GradientRule } from '../types.js';

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

/** Rules for regularization (BatchNormalization's: batch-normalization.ts). */
export const NORMALIZATION_RULES: Readonly<Record<string, GradientRule>> = {
  Dropout: dropout,
};

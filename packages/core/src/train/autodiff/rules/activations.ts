import { floatAttr, intAttr } from '../../../onnx/attributes.js';
import { dataTypeCode } from '../../../onnx/dtype.js';
import type { GradientContext, GradientRule } from '../types.js';

/** The gradient of the node's first output (rules here run only when it has one). */
export const dyOf = (ctx: GradientContext) => ctx.outputGrads[0] as string;
const zero = (ctx: GradientContext) => ctx.emit.scalar(0, ctx.dtypeOf(ctx.node.inputs[0]));
const one = (ctx: GradientContext) => ctx.emit.scalar(1, ctx.dtypeOf(ctx.node.inputs[0]));

/** dX = dY where X > 0, else 0. */
const relu: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const positive = emit.op('Greater', [node.inputs[0], zero(ctx)]);
  return [emit.where(positive, dyOf(ctx), zero(ctx))];
};

/** dX = dY where X > 0, else alpha·dY. */
const leakyRelu: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const dy = dyOf(ctx);
  const alpha = emit.scalar(floatAttr(node, 'alpha', 0.01), ctx.dtypeOf(node.inputs[0]));
  const positive = emit.op('Greater', [node.inputs[0], zero(ctx)]);
  return [emit.where(positive, dy, emit.mul(dy, alpha))];
};

/** dX = dY·Y·(1 − Y). */
const sigmoid: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const y = node.outputs[0];
  return [emit.mul(dyOf(ctx), emit.mul(y, emit.sub(one(ctx), y)))];
};

/** dX = dY·(1 − Y²). */
const tanh: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const y = node.outputs[0];
  return [emit.mul(dyOf(ctx), emit.sub(one(ctx), emit.mul(y, y)))];
};

/**
 * Softmax and LogSoftmax over one axis (opset ≥ 13) or over the trailing axes from `axis` (opset < 13,
 * the input read as 2-D: done on Flatten'ed values, reshaped back).
 */
function softmaxFamily(log: boolean): GradientRule {
  return (ctx) => {
    const { emit, node } = ctx;
    let y = node.outputs[0];
    let dy = dyOf(ctx);
    let axis = intAttr(node, 'axis', ctx.opset >= 13 ? -1 : 1);
    const rank = ctx.rankOf(node.inputs[0]);
    const coerce = ctx.opset < 13 && !(rank !== undefined && (axis === rank - 1 || axis === -1));
    if (coerce) {
      y = emit.op('Flatten', [y], { axis });
      dy = emit.op('Flatten', [dy], { axis });
      axis = 1;
    }
    let dx: string;
    if (log) {
      // y = x − logsumexp(x): dx = dy − softmax(x)·Σdy
      dx = emit.sub(dy, emit.mul(emit.op('Exp', [y]), emit.reduceSum(dy, [axis], true)));
    } else {
      // dx = y·(dy − Σ dy·y)
      dx = emit.mul(y, emit.sub(dy, emit.reduceSum(emit.mul(dy, y), [axis], true)));
    }
    return [coerce ? emit.reshapeLike(dx, node.inputs[0]) : dx];
  };
}

/** dX = dY·(2/√π)·exp(−X²) (Erf appears in exact GELU, e.g. Keras `gelu`). */
const erf: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const x = node.inputs[0];
  const dtype = ctx.dtypeOf(x);
  const gauss = emit.op('Exp', [emit.op('Neg', [emit.mul(x, x)])]);
  return [emit.mul(dyOf(ctx), emit.mul(emit.scalar(2 / Math.sqrt(Math.PI), dtype), gauss))];
};

/**
 * HardSigmoid y = max(0, min(1, αx + β)): dX = α·dY where 0 < αx + β < 1 (read from Y: strictly inside
 * the clamp), else 0 — PyTorch's hardsigmoid_backward, which is 0 at x = ±3 too.
 */
const hardSigmoid: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const y = node.outputs[0];
  const alpha = emit.scalar(floatAttr(node, 'alpha', 0.2), ctx.dtypeOf(node.inputs[0]));
  const inside = emit.where(emit.op('Less', [y, one(ctx)]), emit.mul(dyOf(ctx), alpha), zero(ctx));
  return [emit.where(emit.op('Greater', [y, zero(ctx)]), inside, zero(ctx))];
};

/**
 * HardSwish y = x·max(0, min(1, x/6 + ½)): dX = 0 for x < −3, dY for x > 3, dY·(x/3 + ½) between —
 * the branches of PyTorch's hardswish_backward (x = −3 and x = 3 take the middle one).
 */
const hardSwish: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const x = node.inputs[0];
  const dtype = ctx.dtypeOf(x);
  const dy = dyOf(ctx);
  const slope = emit.add(emit.mul(x, emit.scalar(1 / 3, dtype)), emit.scalar(0.5, dtype));
  const upper = emit.where(emit.op('Greater', [x, emit.scalar(3, dtype)]), dy, emit.mul(dy, slope));
  return [emit.where(emit.op('Less', [x, emit.scalar(-3, dtype)]), zero(ctx), upper)];
};

/** Identity: dX = dY. */
const identity: GradientRule = (ctx) => [dyOf(ctx)];

/**
 * dX = dY where the clip left X as it was (min ≤ X ≤ max, the bounds included), else 0. One comparison of
 * the output with the input and a multiply by that mask: on ORT CPU about 0.6× the time of a Less/Where and
 * a Greater/Where pair over a mobilenet_v2 activation (docs/BENCHMARKS.md). Bounds come from inputs since
 * opset 11, attributes before; the output already holds them.
 */
const clip: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  if (ctx.needs[1] || ctx.needs[2]) ctx.fail('gradients for the min/max inputs are not supported');
  const x = node.inputs[0];
  const bounded = !!(node.inputs[1] || node.inputs[2] || node.attributes.min || node.attributes.max);
  if (!bounded) return [dyOf(ctx)];
  const unclipped = emit.op('Cast', [emit.op('Equal', [node.outputs[0], x])], { to: dataTypeCode(ctx.dtypeOf(x)) });
  return [emit.mul(dyOf(ctx), unclipped)];
};

/** Rules for elementwise activations (unary math is in unary-math.ts). */
export const ACTIVATION_RULES: Readonly<Record<string, GradientRule>> = {
  Relu: relu,
  LeakyRelu: leakyRelu,
  Sigmoid: sigmoid,
  Tanh: tanh,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Softmax: softmaxFamily(false),
  LogSoftmax: softmaxFamily(true),
  Erf: erf,
  Identity: identity,
  Clip: clip,
};

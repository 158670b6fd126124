import { afterFirstStep, withL2, type UpdateRule } from './update-context.js';

/**
 * Adam with ONNX-preview `Adam` semantics (T = step):
 *
 *     g' = g + wd·x;   m ← β1·m + (1 − β1)·g';   v ← β2·v + (1 − β2)·g'²
 *     r = T > 0 ? lr·√(1 − β2^T) / (1 − β1^T) : lr
 *     x ← (1 − post)·(x − r·m / (√v + ε))
 *
 * Unlike PyTorch it corrects the bias with T (not T + 1) and skips it at T = 0; with T ≥ 1 this is
 * Keras' Adam. Use 'adamw' (weightDecay 0) for PyTorch's Adam.
 */
export const adam: UpdateRule = (ctx, params) => {
  const { beta1, beta2, epsilon, postWeightDecay } = ctx.options;
  const { b, c } = ctx;
  const corrected = ctx.div(
    ctx.mul(ctx.lr, b.op('Sqrt', [ctx.sub(c(1), b.op('Pow', [c(beta2), ctx.step]))])),
    ctx.sub(c(1), b.op('Pow', [c(beta1), ctx.step])),
  );
  const rate = afterFirstStep(ctx, corrected, ctx.lr);
  return params.map(({ x, g, state: [m, v] }) => {
    const gr = withL2(ctx, x, g);
    const mNew = ctx.add(ctx.mul(c(beta1), m), ctx.mul(c(1 - beta1), gr));
    const vNew = ctx.add(ctx.mul(c(beta2), v), ctx.mul(c(1 - beta2), ctx.mul(gr, gr)));
    const denom = ctx.add(b.op('Sqrt', [vNew]), c(epsilon));
    let xNew = ctx.sub(x, ctx.mul(rate, ctx.div(mNew, denom)));
    if (postWeightDecay > 0) xNew = ctx.mul(c(1 - postWeightDecay), xNew);
    return { x: xNew, state: [mNew, vNew] };
  });
};

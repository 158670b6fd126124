import type { UpdateRule } from './update-context.js';

/**
 * AdamW with PyTorch semantics (t = step + 1, bias-corrected, decoupled weight decay):
 *
 *     x' = x·(1 − lr·wd);   m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
 *     x ← x' − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
 *
 * With weightDecay 0 this is PyTorch's Adam.
 */
export const adamw: UpdateRule = (ctx, params) => {
  const { beta1, beta2, epsilon, weightDecay } = ctx.options;
  const { b, c } = ctx;
  const t = ctx.add(ctx.step, c(1));
  const stepSize = ctx.div(ctx.lr, ctx.sub(c(1), b.op('Pow', [c(beta1), t])));
  const sqrtCorrection2 = b.op('Sqrt', [ctx.sub(c(1), b.op('Pow', [c(beta2), t]))]);
  const decay = weightDecay > 0 ? ctx.sub(c(1), ctx.mul(ctx.lr, c(weightDecay))) : undefined;
  return params.map(({ x, g, state: [m, v] }) => {
    const xDecayed = decay ? ctx.mul(x, decay) : x;
    const mNew = ctx.add(ctx.mul(c(beta1), m), ctx.mul(c(1 - beta1), g));
    const vNew = ctx.add(ctx.mul(c(beta2), v), ctx.mul(c(1 - beta2), ctx.mul(g, g)));
    const denom = ctx.add(ctx.div(b.op('Sqrt', [vNew]), sqrtCorrection2), c(epsilon));
    return { x: ctx.sub(xDecayed, ctx.mul(stepSize, ctx.div(mNew, denom))), state: [mNew, vNew] };
  });
};

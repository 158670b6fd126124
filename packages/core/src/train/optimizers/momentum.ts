import { afterFirstStep, withL2, type UpdateRule } from './update-context.js';

/**
 * SGD with momentum, ONNX-preview `Momentum` semantics (which equal PyTorch `SGD(momentum, dampening,
 * nesterov)` with step = updates already applied):
 *
 *     g' = g + wd·x;   β' = step > 0 ? 1 − dampening : 1;   v ← α·v + β'·g'
 *     standard: x ← x − lr·v            nesterov: x ← x − lr·(g' + α·v)
 */
export const momentum: UpdateRule = (ctx, params) => {
  const { momentum: alpha, dampening, nesterov } = ctx.options;
  const beta = 1 - dampening;
  const betaNow = beta === 1 ? undefined : afterFirstStep(ctx, ctx.c(beta), ctx.c(1));
  return params.map(({ x, g, state: [v] }) => {
    const gr = withL2(ctx, x, g);
    const vNew = ctx.add(ctx.mul(ctx.c(alpha), v), betaNow ? ctx.mul(betaNow, gr) : gr);
    const direction = nesterov ? ctx.add(gr, ctx.mul(ctx.c(alpha), vNew)) : vNew;
    return { x: ctx.sub(x, ctx.mul(ctx.lr, direction)), state: [vNew] };
  });
};

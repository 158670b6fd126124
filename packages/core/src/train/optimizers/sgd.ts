import { withL2, type UpdateRule } from './update-context.js';

/** SGD: `x ← x − lr·(g + wd·x)` (PyTorch `SGD` without momentum). */
export const sgd: UpdateRule = (ctx, params) =>
  params.map(({ x, g }) => ({ x: ctx.sub(x, ctx.mul(ctx.lr, withL2(ctx, x, g))), state: [] }));

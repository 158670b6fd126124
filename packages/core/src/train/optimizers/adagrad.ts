import { withL2, type UpdateRule } from './update-context.js';

/**
 * Adagrad, ONNX-preview `Adagrad` semantics (= PyTorch `Adagrad` with step = updates already applied):
 *
 *     r = lr / (1 + step·decay);   g' = g + wd·x;   h ← h + g'²;   x ← x − r·g' / (√h + ε)
 */
export const adagrad: UpdateRule = (ctx, params) => {
  const { epsilon, lrDecay } = ctx.options;
  const { b, c } = ctx;
  const rate = lrDecay > 0 ? ctx.div(ctx.lr, ctx.add(c(1), ctx.mul(ctx.step, c(lrDecay)))) : ctx.lr;
  return params.map(({ x, g, state: [h] }) => {
    const gr = withL2(ctx, x, g);
    const hNew = ctx.add(h, ctx.mul(gr, gr));
    const denom = ctx.add(b.op('Sqrt', [hNew]), c(epsilon));
    return { x: ctx.sub(x, ctx.mul(rate, ctx.div(gr, denom))), state: [hNew] };
  });
};

import type { UpdateContext } from './update-context.js';

/**
 * Scales all gradients by `min(1, maxNorm / (‖g‖ + 1e-6))`, ‖g‖ the L2 norm over every gradient
 * together (PyTorch `clip_grad_norm_`). Sums with an Add chain: n-ary Sum is not WebGPU-portable.
 */
export function clipByGlobalNorm(ctx: UpdateContext, grads: readonly string[], maxNorm: number): string[] {
  const { b } = ctx;
  if (grads.length === 0) return [];
  let total: string | undefined;
  for (const g of grads) {
    const sq = b.op('ReduceSum', [ctx.mul(g, g)], { keepdims: 0 });
    total = total ? ctx.add(total, sq) : sq;
  }
  const norm = b.op('Sqrt', [total!]);
  const scale = b.op('Min', [ctx.div(ctx.c(maxNorm), ctx.add(norm, ctx.c(1e-6))), ctx.c(1)]);
  return grads.map((g) => ctx.mul(g, scale));
}

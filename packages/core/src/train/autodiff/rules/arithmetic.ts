import { unbroadcast } from '../broadcast.js';
import type { GradientContext, GradientRule } from '../types.js';

/** Applies `grad(i)` for each needed input and sums it down to that input's shape. */
function perInput(ctx: GradientContext, grad: (i: number) => string): (string | undefined)[] {
  return ctx.node.inputs.map((_, i) => (ctx.needs[i] ? unbroadcast(ctx, grad(i), i) : undefined));
}

/** d(A+B) = dY for both, un-broadcast. Also n-ary Sum (forward only; the backward never emits Sum). */
const add: GradientRule = (ctx) => perInput(ctx, () => ctx.outputGrads[0] as string);

/** d(A−B): dA = dY, dB = −dY (negated after the sum, on the smaller tensor). */
const sub: GradientRule = (ctx) => {
  const dy = ctx.outputGrads[0] as string;
  return [
    ctx.needs[0] ? unbroadcast(ctx, dy, 0) : undefined,
    ctx.needs[1] ? ctx.emit.neg(unbroadcast(ctx, dy, 1)) : undefined,
  ];
};

/** d(A·B): dA = dY·B, dB = dY·A. */
const mul: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const dy = ctx.outputGrads[0] as string;
  return perInput(ctx, (i) => emit.mul(dy, node.inputs[1 - i]));
};

/** d(A/B): dA = dY/B, dB = −dY·Y/B. */
const div: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const dy = ctx.outputGrads[0] as string;
  const [, b] = node.inputs;
  return [
    ctx.needs[0] ? unbroadcast(ctx, emit.div(dy, b), 0) : undefined,
    ctx.needs[1] ? emit.neg(unbroadcast(ctx, emit.div(emit.mul(dy, node.outputs[0]), b), 1)) : undefined,
  ];
};

/** d(A^B): dA = dY·B·A^(B−1), dB = dY·Y·ln A. */
const pow: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const dy = ctx.outputGrads[0] as string;
  const [a, b] = node.inputs;
  const one = emit.scalar(1, ctx.dtypeOf(b));
  return perInput(ctx, (i) =>
    i === 0
      ? emit.mul(dy, emit.mul(b, emit.op('Pow', [a, emit.sub(b, one)])))
      : emit.mul(dy, emit.mul(node.outputs[0], emit.op('Log', [a]))),
  );
};

/** Where(C, X, Y): dX = dY where C, dY' = dY where not C; C has none. */
const where: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const dy = ctx.outputGrads[0] as string;
  const zero = emit.scalar(0, ctx.dtypeOf(node.outputs[0]));
  return [
    undefined,
    ctx.needs[1] ? unbroadcast(ctx, emit.where(node.inputs[0], dy, zero), 1) : undefined,
    ctx.needs[2] ? unbroadcast(ctx, emit.where(node.inputs[0], zero, dy), 2) : undefined,
  ];
};

/**
 * Max / Min (n-ary, broadcasting): dY goes to the first input that attains the result, as MaxPool
 * gives it to a window's first maximum, so a tie is never counted twice. Each input takes what the
 * earlier ones left, `Where(Equal(Xᵢ, Y), rest, 0)`, the rest loses it (a Sub: exact, and cheaper on
 * ORT's CPU than a second Where), and the last input takes what remains.
 */
const firstExtreme: GradientRule = (ctx) => {
  const { emit, node } = ctx;
  const y = node.outputs[0];
  const zero = emit.scalar(0, ctx.dtypeOf(y));
  const last = node.inputs.length - 1;
  let rest = ctx.outputGrads[0] as string;
  return node.inputs.map((x, i) => {
    const later = ctx.needs.slice(i + 1).some(Boolean);
    if (!ctx.needs[i] && !later) return undefined;
    if (i === last) return unbroadcast(ctx, rest, i);
    const attains = emit.op('Equal', [x, y]);
    const taken = emit.where(attains, rest, zero);
    if (later) rest = emit.sub(rest, taken);
    return ctx.needs[i] ? unbroadcast(ctx, taken, i) : undefined;
  });
};

/** Rules for broadcasting arithmetic. */
export const ARITHMETIC_RULES: Readonly<Record<string, GradientRule>> = {
  Add: add,
  Sum: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Pow: pow,
  Where: where,
  Max: firstExtreme,
  Min: firstExtreme,
};

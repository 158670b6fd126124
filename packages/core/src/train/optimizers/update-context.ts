import type { GraphBuilder } from '../../onnx/builder.js';
import type { ResolvedOptimizerOptions } from './options.js';

/** One parameter as an update rule sees it: its value, gradient and state, by value name. */
export interface ParamSlot {
  x: string;
  g: string;
  state: string[];
}

/** What an update rule produces for one parameter. */
export interface ParamUpdate {
  x: string;
  state: string[];
}

/** Shared pieces an update rule builds with. */
export interface UpdateContext {
  b: GraphBuilder;
  options: ResolvedOptimizerOptions;
  /** The float32 scalar learning-rate input. */
  lr: string;
  /** The float32 scalar step input: updates already applied (0 on the first). */
  step: string;
  /** A float32 scalar constant, shared by value. */
  c(value: number): string;
  /** Binary ops, to keep update formulas legible. */
  add(a: string, b: string): string;
  sub(a: string, b: string): string;
  mul(a: string, b: string): string;
  div(a: string, b: string): string;
}

/** An update rule: all parameters at once, so per-step scalars are computed once. */
export type UpdateRule = (ctx: UpdateContext, params: readonly ParamSlot[]) => ParamUpdate[];

/** Makes the {@link UpdateContext} over a builder. */
export function makeUpdateContext(b: GraphBuilder, options: ResolvedOptimizerOptions, lr: string, step: string): UpdateContext {
  const constants = new Map<number, string>();
  return {
    b,
    options,
    lr,
    step,
    c(value) {
      // Keyed by the float32 value, the precision the graph computes in.
      const key = Math.fround(value);
      let name = constants.get(key);
      if (!name) constants.set(key, (name = b.constant('c', 'float32', [], [value])));
      return name;
    },
    add: (x, y) => b.op('Add', [x, y]),
    sub: (x, y) => b.op('Sub', [x, y]),
    mul: (x, y) => b.op('Mul', [x, y]),
    div: (x, y) => b.op('Div', [x, y]),
  };
}

/** `g + wd·x` (ONNX `norm_coefficient`), or `g` when wd is 0. */
export function withL2(ctx: UpdateContext, x: string, g: string): string {
  const wd = ctx.options.weightDecay;
  return wd > 0 ? ctx.add(g, ctx.mul(ctx.c(wd), x)) : g;
}

/** `first` on step 0, `later` afterwards (ONNX's `T > 0 ? … : …`). */
export function afterFirstStep(ctx: UpdateContext, later: string, first: string): string {
  return ctx.b.op('Where', [ctx.b.op('Greater', [ctx.step, ctx.c(0)]), later, first]);
}

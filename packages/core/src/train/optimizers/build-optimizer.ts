import { ARTIFACT_METADATA, OPTIMIZER_OPTIONS_KEY } from '../../metadata-keys.js';
import { GraphBuilder } from '../../onnx/builder.js';
import type { DataType } from '../../onnx/dtype.js';
import type { Model } from '../../onnx/ir.js';
import { adagrad } from './adagrad.js';
import { adam } from './adam.js';
import { adamw } from './adamw.js';
import { clipByGlobalNorm } from './clip.js';
import { momentum } from './momentum.js';
import { gradientName, LEARNING_RATE, stateName, STEP, updatedName } from './names.js';
import { nameValue } from '../../onnx/name-value.js';
import {
  resolveOptimizerOptions,
  stateSlots,
  type OptimizerKind,
  type OptimizerOptions,
  type ResolvedOptimizerOptions,
} from './options.js';
import { sgd } from './sgd.js';
import { makeUpdateContext, type UpdateRule } from './update-context.js';

/** A parameter the optimizer updates. */
export interface ParameterSpec {
  name: string;
  dtype: DataType;
  dims: readonly number[];
}

/** One optimizer state tensor: `<param>.<slot>`, shaped like its parameter, zero at step 0. */
export interface OptimizerStateSpec {
  name: string;
  param: string;
  slot: string;
  dtype: DataType;
  dims: number[];
}

/** The optimizer model and what it expects. */
export interface OptimizerGraph {
  model: Model;
  state: OptimizerStateSpec[];
  options: ResolvedOptimizerOptions;
}

const RULES: Readonly<Record<OptimizerKind, UpdateRule>> = { sgd, momentum, adam, adamw, adagrad };

/** The opset the optimizer model is written in (it does not depend on the trained model). */
export const OPTIMIZER_OPSET = 17;

/**
 * Builds `optimizer_model.onnx`: inputs `learning_rate`, `step` (float32 scalars), each parameter,
 * each `<param>_grad`, each state tensor; outputs `<param>.new` for each parameter, then
 * `<state>.new` for each state tensor (docs/ARTIFACTS.md).
 */
export function buildOptimizerModel(params: readonly ParameterSpec[], options: OptimizerOptions = {}): OptimizerGraph {
  return buildUpdate(params, options, (b, p) => b.input(gradientName(p.name), p.dtype, [...p.dims]));
}

/** Input `r` of {@link buildSummedGradientUpdate}: one part of the gradient of parameter `name`. */
export const gradientPartName = (name: string, part: number): string => `${gradientName(name)}.part${part}`;
/** The scalar weight of gradient part `r` in {@link buildSummedGradientUpdate}. */
export const gradientWeightName = (part: number): string => `gradient_weight.${part}`;

/**
 * The optimizer model of {@link buildOptimizerModel}, except that each parameter's gradient comes in
 * `parts` inputs `<p>_grad.part<r>` summed with scalar weights `gradient_weight.<r>` (float32) inside
 * the graph: the Trainer's data-parallel replicas feed their slices' gradients to it as they are.
 */
export function buildSummedGradientUpdate(params: readonly ParameterSpec[], options: OptimizerOptions, parts: number): OptimizerGraph {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`optimizer: 'parts' must be an integer >= 1, got ${String(parts)}`);
  let weights: string[] | undefined;
  return buildUpdate(params, options, (b, p) => {
    weights ??= Array.from({ length: parts }, (_, r) => b.input(gradientWeightName(r), 'float32', []));
    const terms = weights.map((w, r) => b.op('Mul', [b.input(gradientPartName(p.name, r), p.dtype, [...p.dims]), w]));
    return terms.length === 1 ? terms[0] : b.op('Sum', terms);
  });
}

function buildUpdate(params: readonly ParameterSpec[], options: OptimizerOptions, gradientOf: (b: GraphBuilder, p: ParameterSpec) => string): OptimizerGraph {
  const resolved = resolveOptimizerOptions(options);
  if (params.length === 0) throw new RangeError('optimizer: needs at least one parameter');
  const state: OptimizerStateSpec[] = [];
  for (const p of params) {
    if (p.dtype !== 'float32') throw new RangeError(`optimizer: parameter '${p.name}' is ${p.dtype}; only float32 parameters can be trained`);
    for (const slot of stateSlots(resolved.optimizer)) {
      state.push({ name: stateName(p.name, slot), param: p.name, slot, dtype: p.dtype, dims: [...p.dims] });
    }
  }
  checkNames(params, state);

  const b = new GraphBuilder({ opset: OPTIMIZER_OPSET, name: 'optimizer' });
  const lr = b.input(LEARNING_RATE, 'float32', []);
  const step = b.input(STEP, 'float32', []);
  const xs = params.map((p) => b.input(p.name, p.dtype, [...p.dims]));
  let grads = params.map((p) => gradientOf(b, p));
  const states = state.map((s) => b.input(s.name, s.dtype, s.dims));

  const ctx = makeUpdateContext(b, resolved, lr, step);
  if (resolved.clipGradNorm !== undefined) grads = clipByGlobalNorm(ctx, grads, resolved.clipGradNorm);
  const slots = stateSlots(resolved.optimizer).length;
  const updates = RULES[resolved.optimizer](
    ctx,
    params.map((_, i) => ({ x: xs[i], g: grads[i], state: states.slice(i * slots, (i + 1) * slots) })),
  );

  params.forEach((p, i) => b.output(nameValue(b, updates[i].x, updatedName(p.name)), p.dtype, [...p.dims]));
  updates.forEach((u, i) =>
    u.state.forEach((v, k) => {
      const s = state[i * slots + k];
      b.output(nameValue(b, v, updatedName(s.name)), s.dtype, s.dims);
    }),
  );
  const model = b.build({
    metadata: { [ARTIFACT_METADATA.artifact]: 'optimizer', [OPTIMIZER_OPTIONS_KEY]: JSON.stringify(resolved) },
  });
  return { model, state, options: resolved };
}

function checkNames(params: readonly ParameterSpec[], state: readonly OptimizerStateSpec[]): void {
  const seen = new Map<string, string>();
  const claim = (name: string, what: string) => {
    const prior = seen.get(name);
    if (prior) throw new RangeError(`optimizer: the name '${name}' is both ${prior} and ${what}; rename the parameter`);
    seen.set(name, what);
  };
  claim(LEARNING_RATE, 'the learning-rate input');
  claim(STEP, 'the step input');
  for (const p of params) {
    claim(p.name, `parameter '${p.name}'`);
    claim(gradientName(p.name), `the gradient of '${p.name}'`);
    claim(updatedName(p.name), `the new value of '${p.name}'`);
  }
  for (const s of state) {
    claim(s.name, `optimizer state of '${s.param}'`);
    claim(updatedName(s.name), `the new optimizer state of '${s.param}'`);
  }
}

/** The optimizers the artifacts can use. */
export type OptimizerKind = 'sgd' | 'momentum' | 'adam' | 'adamw' | 'adagrad';

/**
 * Hyper-parameters of the optimizer graph. The learning rate and the step are graph inputs, not
 * options, so a schedule needs no new graph. Each option only applies to the optimizers named.
 */
export interface OptimizerOptions {
  /** Which update rule. @defaultValue 'adamw' */
  optimizer?: OptimizerKind;
  /** momentum: the velocity decay α (ONNX `alpha`, PyTorch `momentum`). @defaultValue 0.9 */
  momentum?: number;
  /**
   * momentum: the gradient's coefficient is 1 − dampening (ONNX `beta`), except on step 0 where it
   * is 1 (as in ONNX and PyTorch). @defaultValue 0
   */
  dampening?: number;
  /** momentum: Nesterov's update (ONNX mode 'nesterov'). @defaultValue false */
  nesterov?: boolean;
  /** adam, adamw: decay of the gradient average (ONNX `alpha`). @defaultValue 0.9 */
  beta1?: number;
  /** adam, adamw: decay of the squared-gradient average (ONNX `beta`). @defaultValue 0.999 */
  beta2?: number;
  /** adam, adamw, adagrad: added to the denominator. @defaultValue 1e-8 (adagrad: 1e-10) */
  epsilon?: number;
  /**
   * Weight decay. adamw: decoupled, `x ← x·(1 − lr·wd)` (PyTorch AdamW). sgd, momentum, adam,
   * adagrad: L2, `g ← g + wd·x` (ONNX `norm_coefficient`, PyTorch `weight_decay`).
   * @defaultValue 0.01 for adamw, 0 otherwise
   */
  weightDecay?: number;
  /** adam: ONNX `norm_coefficient_post`, `x ← (1 − c)·x` after the update. @defaultValue 0 */
  postWeightDecay?: number;
  /** adagrad: learning-rate decay, `lr / (1 + step·decay)` (ONNX `decay_factor`). @defaultValue 0 */
  lrDecay?: number;
  /** Scale all gradients together so their global L2 norm is at most this (PyTorch `clip_grad_norm_`). */
  clipGradNorm?: number;
}

/** {@link OptimizerOptions} with every default filled in. */
export interface ResolvedOptimizerOptions {
  optimizer: OptimizerKind;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  postWeightDecay: number;
  lrDecay: number;
  clipGradNorm?: number;
}

const KINDS: readonly OptimizerKind[] = ['sgd', 'momentum', 'adam', 'adamw', 'adagrad'];

/** Fills defaults and checks ranges; throws TypeError/RangeError naming the option. */
export function resolveOptimizerOptions(options: OptimizerOptions = {}): ResolvedOptimizerOptions {
  const optimizer = options.optimizer ?? 'adamw';
  if (!KINDS.includes(optimizer)) {
    throw new RangeError(`optimizer: expected one of ${KINDS.map((k) => `'${k}'`).join(', ')}, got '${String(optimizer)}'`);
  }
  const num = (name: keyof OptimizerOptions, fallback: number, ok: (v: number) => boolean, range: string): number => {
    const v = options[name] ?? fallback;
    if (typeof v !== 'number') throw new TypeError(`optimizer option '${name}' must be a number, got ${typeof v}`);
    if (!Number.isFinite(v) || !ok(v)) throw new RangeError(`optimizer option '${name}' must be ${range}, got ${v}`);
    return v;
  };
  const unit = (v: number) => v >= 0 && v < 1;
  const resolved: ResolvedOptimizerOptions = {
    optimizer,
    momentum: num('momentum', 0.9, unit, 'in [0, 1)'),
    dampening: num('dampening', 0, (v) => v >= 0 && v <= 1, 'in [0, 1]'),
    nesterov: options.nesterov ?? false,
    beta1: num('beta1', 0.9, unit, 'in [0, 1)'),
    beta2: num('beta2', 0.999, unit, 'in [0, 1)'),
    epsilon: num('epsilon', optimizer === 'adagrad' ? 1e-10 : 1e-8, (v) => v >= 0, '>= 0'),
    weightDecay: num('weightDecay', optimizer === 'adamw' ? 0.01 : 0, (v) => v >= 0, '>= 0'),
    postWeightDecay: num('postWeightDecay', 0, unit, 'in [0, 1)'),
    lrDecay: num('lrDecay', 0, (v) => v >= 0, '>= 0'),
  };
  if (typeof resolved.nesterov !== 'boolean') throw new TypeError(`optimizer option 'nesterov' must be a boolean`);
  if (options.clipGradNorm !== undefined) resolved.clipGradNorm = num('clipGradNorm', 0, (v) => v > 0, '> 0');
  return resolved;
}

/** Names of the state tensors each optimizer keeps per parameter (`<param>.<slot>`). */
export function stateSlots(kind: OptimizerKind): readonly string[] {
  switch (kind) {
    case 'sgd':
      return [];
    case 'momentum':
      return ['velocity'];
    case 'adam':
    case 'adamw':
      return ['m', 'v'];
    case 'adagrad':
      return ['accum'];
  }
}

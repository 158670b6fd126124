/** One client's result of a round: its parameters after local training and how many examples it used. */
export interface ClientUpdate {
  /** All trainable parameters, laid out as `Trainer.getContiguousParameters()` gives them. */
  readonly params: Float32Array;
  /** Training examples behind the update (its weight in the average). */
  readonly examples: number;
}

/** Options of {@link federatedAverage}. */
export interface FederatedAverageOptions {
  /**
   * Server learning rate: the global model moves this far along the averaged client change.
   * @defaultValue 1 (plain FedAvg: the new global is the weighted average)
   */
  serverLearningRate?: number;
  /**
   * Server momentum β (FedAvgM, Hsu et al. 2019): the change applied is β·previous + this round's.
   * @defaultValue 0
   */
  serverMomentum?: number;
  /** The momentum buffer the previous round returned. @defaultValue zeros */
  momentum?: Float32Array;
}

/** The next global parameters, and the momentum buffer to pass to the next round. */
export interface FederatedAverageResult {
  params: Float32Array;
  momentum: Float32Array;
  /** Examples behind this round (the sum of the clients'). */
  examples: number;
}

/**
 * FedAvg (McMahan et al. 2017) weighted by example counts: Δ = global − Σ nₖ·wₖ / Σ nₖ; with server
 * momentum, v = β·v + Δ, and the new global is global − η·v (η = 1, β = 0: the weighted average itself).
 * Sums run in float64, so the result does not depend on the clients' order beyond float32 rounding.
 */
export function federatedAverage(global: Float32Array, updates: readonly ClientUpdate[], options: FederatedAverageOptions = {}): FederatedAverageResult {
  if (!(global instanceof Float32Array)) throw new TypeError('federatedAverage: global must be a Float32Array');
  if (!Array.isArray(updates) || updates.length === 0) throw new RangeError('federatedAverage: needs at least one update');
  const lr = options.serverLearningRate ?? 1;
  const beta = options.serverMomentum ?? 0;
  if (!(typeof lr === 'number' && lr > 0 && Number.isFinite(lr))) throw new RangeError(`federatedAverage: 'serverLearningRate' must be > 0, got ${String(lr)}`);
  if (!(typeof beta === 'number' && beta >= 0 && beta < 1)) throw new RangeError(`federatedAverage: 'serverMomentum' must be in [0, 1), got ${String(beta)}`);
  const n = global.length;
  if (options.momentum !== undefined && (!(options.momentum instanceof Float32Array) || options.momentum.length !== n)) {
    throw new RangeError(`federatedAverage: 'momentum' must be a Float32Array of ${n} values`);
  }
  let total = 0;
  updates.forEach((u, k) => {
    if (!(u?.params instanceof Float32Array) || u.params.length !== n) {
      throw new RangeError(`federatedAverage: update ${k} has ${u?.params?.length ?? 'no'} parameters, the global model ${n}`);
    }
    if (!Number.isInteger(u.examples) || u.examples < 1) throw new RangeError(`federatedAverage: update ${k}: 'examples' must be a positive integer, got ${String(u.examples)}`);
    total += u.examples;
  });
  const avg = new Float64Array(n);
  for (const u of updates) {
    const w = u.examples / total;
    for (let i = 0; i < n; i++) avg[i] += w * u.params[i];
  }
  const momentum = new Float32Array(n);
  const params = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = beta * (options.momentum?.[i] ?? 0) + (global[i] - avg[i]);
    momentum[i] = v;
    params[i] = global[i] - lr * v;
  }
  return { params, momentum, examples: total };
}

/**
 * FedProx's proximal term (Li et al. 2020), μ/2·‖w − w_global‖², as its own gradient step after each
 * optimizer step: w ← w − lr·μ·(w − w_global), in place. It keeps a client with skewed data close to
 * the round's global model; μ = 0 is FedAvg.
 */
export function proximalStep(params: Float32Array, global: Float32Array, learningRate: number, mu: number): Float32Array {
  if (params.length !== global.length) throw new RangeError(`proximalStep: ${params.length} parameters, the global model has ${global.length}`);
  if (!(mu >= 0) || !(learningRate > 0)) throw new RangeError(`proximalStep: needs learningRate > 0 and mu >= 0, got ${learningRate} and ${mu}`);
  const f = learningRate * mu;
  for (let i = 0; i < params.length; i++) params[i] -= f * (params[i] - global[i]);
  return params;
}

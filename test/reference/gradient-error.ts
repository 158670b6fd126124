/** PyTorch's gradient of one tensor: sampled positions and values, and the whole tensor's largest magnitude. */
export interface SampledGradient {
  name: string;
  positions: Int32Array;
  values: Float32Array;
  max: number;
}

/**
 * Worst relative error over tensors: max over the sampled positions |onnxkit − torch|, together with the
 * difference of the whole tensors' largest magnitudes (it covers the positions not sampled), over the
 * whole tensor's largest |torch|. `values(name)` is onnxkit's whole tensor.
 */
export function worstSampledError(refs: readonly SampledGradient[], values: (name: string) => Float32Array): { error: number; name: string } {
  let worst = { error: 0, name: '' };
  for (const g of refs) {
    const mine = values(g.name);
    let diff = 0;
    for (let k = 0; k < g.positions.length; k++) diff = Math.max(diff, Math.abs(mine[g.positions[k]] - g.values[k]));
    let mineMax = 0;
    for (const v of mine) mineMax = Math.max(mineMax, Math.abs(v));
    diff = Math.max(diff, Math.abs(mineMax - g.max));
    const error = g.max === 0 ? diff : diff / g.max;
    if (!(error <= worst.error)) worst = { error, name: g.name };
  }
  return worst;
}

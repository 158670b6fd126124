/** Transposes row-major `data` of shape `dims` by `perm` (output axis i = input axis perm[i]). */
export function permuteData(data: Float32Array, dims: readonly number[], perm: readonly number[]): Float32Array {
  const rank = dims.length;
  const outDims = perm.map((p) => dims[p]);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * dims[i + 1];
  const strideOfOut = perm.map((p) => inStrides[p]);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src];
    // Advance the output index odometer, tracking the matching input offset.
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]++;
      src += strideOfOut[k];
      if (idx[k] < outDims[k]) break;
      src -= strideOfOut[k] * outDims[k];
      idx[k] = 0;
    }
  }
  return out;
}

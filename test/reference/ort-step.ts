import * as ort from 'onnxruntime-node';
import { encodeModel, type Model } from '../../packages/core/src/onnx/index.js';

/** Float32 feeds by name: data plus dims. */
export type Feeds = Record<string, { data: Float32Array; dims: readonly number[] }>;

/** Runs a model once on ORT's CPU provider (onnxruntime-node) and returns every output's data. */
export async function runModel(model: Model | Uint8Array, feeds: Feeds): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model instanceof Uint8Array ? model : encodeModel(model));
  try {
    const tensors = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, [...v.dims])]));
    const out = await session.run(tensors);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** A float32 scalar feed. */
export const scalarFeed = (v: number) => ({ data: Float32Array.of(v), dims: [] as number[] });

/** Zero optimizer state (step 0) for state tensors named `<param>.<slot>`, shaped like their parameter. */
export function zeroState(stateNames: readonly string[], params: Feeds): Feeds {
  return Object.fromEntries(
    stateNames.map((s) => {
      const owner = params[s.slice(0, s.lastIndexOf('.'))];
      if (!owner) throw new Error(`zeroState: no parameter for state '${s}'`);
      return [s, { data: new Float32Array(owner.data.length), dims: owner.dims }];
    }),
  );
}

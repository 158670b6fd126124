import { createSession, encodeModel, type Model } from '@onnxkit/node';

/** Runs a converted model on ORT CPU with one image batch; returns every output's values in the model's output order. */
export async function runConverted(model: Model, images: Float32Array, count: number): Promise<Float32Array[]> {
  const session = await createSession(encodeModel(model), { device: 'cpu', intraOpNumThreads: 1 });
  try {
    const input = model.graph.inputs[0];
    const dims = [count, ...(input.type?.kind === 'tensor' ? input.type.shape ?? [] : []).slice(1).map((d) => d as number)];
    const out = await session.run({ [input.name]: { data: images, dims } });
    return Promise.all(model.graph.outputs.map(async (o) => (await out[o.name].getData()) as Float32Array));
  } finally {
    await session.release();
  }
}

/** The largest |a − b| over all outputs (lengths must agree). */
export function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length !== b.length) throw new Error(`output counts differ: ${a.length} vs ${b.length}`);
  let max = 0;
  a.forEach((x, i) => {
    if (x.length !== b[i].length) throw new Error(`output ${i} sizes differ: ${x.length} vs ${b[i].length}`);
    for (let k = 0; k < x.length; k++) max = Math.max(max, Math.abs(x[k] - b[i][k]));
  });
  return max;
}

/** Share of rows of [N, classes] scores whose argmax equals the label. */
export function accuracy(scores: Float32Array, labels: Int32Array, classes = 10): number {
  let correct = 0;
  for (let n = 0; n < labels.length; n++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[n * classes + c] > scores[n * classes + best]) best = c;
    if (best === labels[n]) correct++;
  }
  return correct / labels.length;
}

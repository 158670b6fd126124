import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { encodeModel, type Model, type ValueType } from '@onnxkit/core';

export const repoRoot = path.resolve(__dirname, '../../../..');
export const fixtures = path.resolve(repoRoot, '../shared/fixtures');
export const mnist8Path = path.join(fixtures, 'models/mnist-onnx/mnist-8.onnx');

/** A copy of `model` that also outputs every node output, typed by dtype only (ORT decides shapes). */
export function exposeIntermediates(model: Model, types: Map<string, ValueType>): Model {
  const declared = new Set(model.graph.outputs.map((v) => v.name));
  const extra = model.graph.nodes
    .flatMap((n) => n.outputs)
    .filter((name) => name && !declared.has(name))
    .map((name) => {
      const t = types.get(name);
      if (t?.kind !== 'tensor') throw new Error(`no inferred dtype for '${name}'`);
      return { name, type: { kind: 'tensor' as const, dtype: t.dtype } };
    });
  return { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, ...extra] } };
}

/** Runs `model` on ORT CPU and returns the dims of every output. */
export async function ortOutputDims(model: Model, feeds: Record<string, ort.Tensor>): Promise<Map<string, number[]>> {
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'], logSeverityLevel: 3 });
  try {
    const out = await session.run(feeds);
    return new Map(Object.entries(out).map(([k, v]) => [k, [...v.dims]]));
  } finally {
    await session.release();
  }
}

/** Seeded uniform floats in [-1, 1) (a small LCG; tests need shapes, not statistics). */
export function randomFloats(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Lists the conformance test folders under `suite` that hold a model.onnx. */
export function conformanceDirs(suite: string): string[] {
  const root = path.join(fixtures, suite);
  return fs
    .readdirSync(root)
    .filter((d) => fs.existsSync(path.join(root, d, 'model.onnx')))
    .map((d) => path.join(root, d));
}

/** Replaces symbolic dims by their runtime sizes. */
export function bind(shape: readonly (number | string | null)[] | undefined, sizes: Record<string, number>): (number | string | null)[] | undefined {
  return shape?.map((d) => (typeof d === 'string' && d in sizes ? sizes[d] : d));
}

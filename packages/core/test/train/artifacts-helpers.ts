import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { encodeModel, type Model, type TensorData } from '@onnxkit/core';
import { pb } from '../../src/onnx/codec/protobuf.js';
import { decodeTensor } from '../../src/onnx/codec/tensor-codec.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The shared fixtures folder (never copied into the repo). */
export const fixtures = path.resolve(repoRoot, '../shared/fixtures');

/** A float32 or int64 array with its dims, as fed to / read from ORT. */
export interface Arr {
  dims: number[];
  data: Float32Array;
}

/** Reads one ONNX conformance test: its model bytes and the decoded inputs and outputs, in order. */
export function readConformance(name: string): { model: Uint8Array; inputs: TensorData[]; outputs: TensorData[] } {
  const dir = path.join(fixtures, 'onnx-node-tests', name);
  const set = path.join(dir, 'test_data_set_0');
  const read = (prefix: string) =>
    readdirSync(set)
      .filter((f) => f.startsWith(prefix))
      .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
      .map((f) => decodeTensor(pb.TensorProto.decode(readFileSync(path.join(set, f)))));
  return { model: readFileSync(path.join(dir, 'model.onnx')), inputs: read('input_'), outputs: read('output_') };
}

/** A tensor's elements as float32 (int64 converted). */
export function asFloat32(t: TensorData): Float32Array {
  return Float32Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

const sessions = new WeakMap<Model, Promise<ort.InferenceSession>>();

/** Runs `model` on ORT CPU with float32 feeds; returns every output as float32. */
export async function run(model: Model, feeds: Record<string, Arr>): Promise<Record<string, Arr>> {
  let session = sessions.get(model);
  if (!session) sessions.set(model, (session = ort.InferenceSession.create(encodeModel(model))));
  const s = await session;
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor('float32', v.data, v.dims);
  const out = await s.run(ortFeeds);
  const result: Record<string, Arr> = {};
  for (const [k, v] of Object.entries(out)) result[k] = { dims: [...v.dims], data: v.data as Float32Array };
  return result;
}

/** Largest |a − b| / max(|b|, floor) over two arrays of equal length. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}

/** A deterministic pseudo-random float32 array in [lo, hi). */
export function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + ((s % 1_000_003) / 1_000_003) * (hi - lo);
  }
  return out;
}

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { TensorData } from '@onnxkit/core';
import { pb } from '../../packages/core/src/onnx/codec/protobuf.js';
import { decodeTensor } from '../../packages/core/src/onnx/codec/tensor-codec.js';

/** One ONNX backend conformance test: its model and first data set. */
export interface ConformanceCase {
  suite: string;
  name: string;
  modelPath: string;
  inputs: TensorData[];
  outputs: TensorData[];
}

/** Reads a TensorProto `.pb` file into the IR. */
export function readTensorPb(file: string): TensorData {
  return decodeTensor(pb.TensorProto.decode(readFileSync(file)));
}

function readSet(dir: string, prefix: 'input' | 'output'): TensorData[] {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(`${prefix}_`) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length + 1, -3)) - Number(b.slice(prefix.length + 1, -3)));
  return files.map((f) => readTensorPb(path.join(dir, f)));
}

/** Lists the conformance cases of a suite folder (each `<test>/model.onnx` + `test_data_set_0`). */
export function listConformanceCases(suiteDir: string): ConformanceCase[] {
  const suite = path.basename(suiteDir);
  return readdirSync(suiteDir)
    .sort()
    .filter((name) => existsSync(path.join(suiteDir, name, 'model.onnx')))
    .map((name) => {
      const dataDir = path.join(suiteDir, name, 'test_data_set_0');
      const hasData = existsSync(dataDir);
      return {
        suite,
        name,
        modelPath: path.join(suiteDir, name, 'model.onnx'),
        inputs: hasData ? readSet(dataDir, 'input') : [],
        outputs: hasData ? readSet(dataDir, 'output') : [],
      };
    });
}

/** The conformance suites under ../shared/fixtures. */
export const CONFORMANCE_SUITES = ['onnx-node-tests', 'onnx-simple-tests', 'onnx-pytorch-converted-tests'] as const;

/** Every case of {@link CONFORMANCE_SUITES} under `fixturesRoot`. */
export function allConformanceCases(fixturesRoot: string): ConformanceCase[] {
  return CONFORMANCE_SUITES.flatMap((s) => listConformanceCases(path.join(fixturesRoot, s)));
}

/**
 * Runs model `bytes` on ORT CPU with the case's inputs and compares with its reference outputs:
 * undefined when every output matches, else why not (session, run, a missing output, shape, values).
 */
export async function mismatchWithReference(bytes: Uint8Array, c: ConformanceCase): Promise<string | undefined> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
  } catch (err) {
    return `session: ${(err as Error).message.split('\n')[0]}`;
  }
  try {
    const feeds: Record<string, ort.Tensor> = {};
    c.inputs.forEach((t: TensorData, i) => {
      feeds[t.name || session.inputNames[i]] = toOrtTensor(t);
    });
    const results = await session.run(feeds);
    for (let i = 0; i < c.outputs.length; i++) {
      const expected = c.outputs[i];
      const actual = results[expected.name || session.outputNames[i]];
      if (!actual) return `missing output ${expected.name}`;
      if (actual.dims.join() !== expected.dims.join()) return `shape of ${expected.name}`;
      if (!allClose(actual.data as ArrayLike<number>, expected.data as ArrayLike<number>)) return `values of ${expected.name}`;
    }
    return undefined;
  } catch (err) {
    return `run: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    await session.release();
  }
}

/** IR tensor → onnxruntime-node tensor (throws for element types ORT-js cannot hold). */
export function toOrtTensor(t: TensorData): ort.Tensor {
  return new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims);
}

/** True when every element of `actual` is within `atol + rtol * |expected|` (NaN matches NaN). */
export function allClose(
  actual: ArrayLike<number | bigint | boolean | string>,
  expected: ArrayLike<number | bigint | boolean | string>,
  rtol = 1e-3,
  atol = 1e-7,
): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (typeof a === 'string' || typeof e === 'string') {
      if (a !== e) return false;
      continue;
    }
    const x = Number(a);
    const y = Number(e);
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return false;
  }
  return true;
}

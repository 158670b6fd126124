import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, type TensorData } from '@onnxkit/core';
import { fixturesRoot } from '../support/paths.js';
import { allClose, listConformanceCases, toOrtTensor, type ConformanceCase } from '../support/onnx-test-data.js';

const SUITES = ['onnx-node-tests', 'onnx-simple-tests', 'onnx-pytorch-converted-tests'];
const cases = SUITES.flatMap((s) => listConformanceCases(path.join(fixturesRoot, s)));

type Outcome = 'pass' | 'fail';

/** Runs a model on ORT CPU with the case's inputs and compares with its reference outputs. */
async function runAgainstReference(bytes: Uint8Array, c: ConformanceCase): Promise<{ outcome: Outcome; why?: string }> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  } catch (err) {
    return { outcome: 'fail', why: `session: ${(err as Error).message.split('\n')[0]}` };
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
      if (!actual) return { outcome: 'fail', why: `missing output ${expected.name}` };
      if (actual.dims.join() !== expected.dims.join()) return { outcome: 'fail', why: `shape of ${expected.name}` };
      if (!allClose(actual.data as ArrayLike<number>, expected.data as ArrayLike<number>)) {
        return { outcome: 'fail', why: `values of ${expected.name}` };
      }
    }
    return { outcome: 'pass' };
  } catch (err) {
    return { outcome: 'fail', why: `run: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    await session.release();
  }
}

describe('ONNX conformance models: decode → encode → decode, and ORT on the re-encoded bytes', () => {
  it('finds the shared conformance fixtures', () => {
    expect(cases.length).toBeGreaterThan(300);
  });

  it.each(cases.map((c) => [`${c.suite}/${c.name}`, c] as const))('%s round-trips to an equal IR', (_, c) => {
    const original = decodeModel(readFileSync(c.modelPath));
    const reencoded = encodeModel(original);
    expect(decodeModel(reencoded)).toEqual(original);
  });

  it('re-encoded models match the reference outputs wherever ORT passes the original', async () => {
    let passOriginal = 0;
    let passBoth = 0;
    const regressions: string[] = [];
    for (const c of cases) {
      if (c.inputs.length === 0) continue;
      const original = await runAgainstReference(readFileSync(c.modelPath), c);
      if (original.outcome !== 'pass') continue;
      passOriginal++;
      const again = await runAgainstReference(encodeModel(decodeModel(readFileSync(c.modelPath))), c);
      if (again.outcome === 'pass') passBoth++;
      else regressions.push(`${c.suite}/${c.name}: ${again.why}`);
    }
    console.log(
      `conformance: ${cases.length} models round-trip; ORT passes ${passOriginal} originals; ` +
        `${passBoth}/${passOriginal} re-encoded pass too`,
    );
    expect(regressions).toEqual([]);
    expect(passOriginal).toBeGreaterThan(250);
  });
});

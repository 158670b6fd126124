import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, optimizeModel, type Model, type TensorData } from '@onnxkit/core';
import { fixturesRoot } from '../../../../test/support/paths.js';
import { allClose, listConformanceCases, toOrtTensor, type ConformanceCase } from '../../../../test/support/onnx-test-data.js';

// Every pass must keep outputs equal: run the default pipeline on the ONNX conformance models and
// check that each model ORT ran correctly before still matches the reference outputs after.
const SUITES = ['onnx-node-tests', 'onnx-simple-tests', 'onnx-pytorch-converted-tests'];
const cases = SUITES.flatMap((s) => listConformanceCases(path.join(fixturesRoot, s))).filter((c) => c.inputs.length > 0);

async function matchesReference(bytes: Uint8Array, c: ConformanceCase): Promise<string | undefined> {
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

describe('optimizeModel on the ONNX conformance models', () => {
  it('keeps every model ORT runs correctly equal to its reference outputs', async () => {
    expect(cases.length).toBeGreaterThan(300);
    let checked = 0;
    let rewritten = 0;
    const folded: string[] = [];
    const failures: string[] = [];
    for (const c of cases) {
      const bytes = new Uint8Array(readFileSync(c.modelPath));
      if ((await matchesReference(bytes, c)) !== undefined) continue; // ORT itself disagrees: not ours to judge
      let model: Model;
      try {
        model = decodeModel(bytes);
      } catch {
        continue;
      }
      const result = optimizeModel(model);
      checked++;
      const changed = result.passes.reduce((s, p) => s + p.changed, 0);
      if (changed === 0) continue;
      rewritten++;
      if (result.passes.some((p) => p.pass === 'fold-constants' && p.changed > 0)) folded.push(c.name);
      const why = await matchesReference(encodeModel(result.model), c);
      if (why) failures.push(`${c.suite}/${c.name}: ${why} (${result.passes.flatMap((p) => p.notes).join('; ')})`);
    }
    expect(failures).toEqual([]);
    // The suites exercise the passes, not just pass through them.
    expect(checked).toBeGreaterThan(250);
    expect(rewritten).toBeGreaterThan(40);
    expect(folded.length).toBeGreaterThan(20);
  });
});

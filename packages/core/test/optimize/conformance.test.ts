import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, optimizeModel, type Model } from '@onnxkit/core';
import { fixturesRoot } from '../../../../test/support/paths.js';
import { allConformanceCases, mismatchWithReference } from '../../../../test/support/onnx-test-data.js';

// Every pass must keep outputs equal: run the default pipeline on the ONNX conformance models and
// check that each model ORT ran correctly before still matches the reference outputs after.
const cases = allConformanceCases(fixturesRoot).filter((c) => c.inputs.length > 0);

describe('optimizeModel on the ONNX conformance models', () => {
  it('keeps every model ORT runs correctly equal to its reference outputs', async () => {
    expect(cases.length).toBeGreaterThan(300);
    let checked = 0;
    let rewritten = 0;
    const folded: string[] = [];
    const failures: string[] = [];
    for (const c of cases) {
      const bytes = new Uint8Array(readFileSync(c.modelPath));
      if ((await mismatchWithReference(bytes, c)) !== undefined) continue; // ORT itself disagrees: not ours to judge
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
      const why = await mismatchWithReference(encodeModel(result.model), c);
      if (why) failures.push(`${c.suite}/${c.name}: ${why} (${result.passes.flatMap((p) => p.notes).join('; ')})`);
    }
    expect(failures).toEqual([]);
    // The suites exercise the passes, not just pass through them.
    expect(checked).toBeGreaterThan(250);
    expect(rewritten).toBeGreaterThan(40);
    expect(folded.length).toBeGreaterThan(20);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '@onnxkit/core';
import { fixturesRoot } from '../support/paths.js';
import { allConformanceCases, mismatchWithReference } from '../support/onnx-test-data.js';

const cases = allConformanceCases(fixturesRoot);

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
      if ((await mismatchWithReference(readFileSync(c.modelPath), c)) !== undefined) continue;
      passOriginal++;
      const why = await mismatchWithReference(encodeModel(decodeModel(readFileSync(c.modelPath))), c);
      if (why === undefined) passBoth++;
      else regressions.push(`${c.suite}/${c.name}: ${why}`);
    }
    console.log(
      `conformance: ${cases.length} models round-trip; ORT passes ${passOriginal} originals; ` +
        `${passBoth}/${passOriginal} re-encoded pass too`,
    );
    expect(regressions).toEqual([]);
    expect(passOriginal).toBeGreaterThan(250);
  });
});

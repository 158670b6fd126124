import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ARTIFACT_FILES, encodeArtifacts, generateArtifacts } from '../../packages/core/src/train/index.js';
import { ARTIFACT_CASES } from './artifact-cases.js';
import { torchFixtureDir } from './torch-fixture.js';

// test/fixtures/torch/checker-report.json is written by scripts/fixtures/check_artifacts.py, which runs
// onnx.checker.check_model(m, full_check=True) (onnx 1.12) on every generated model. CI has no onnx,
// so this test checks the committed report covers today's generator output byte for byte: a changed
// generator fails here until the script is rerun.

interface ReportEntry {
  case: string;
  artifact: 'training' | 'eval' | 'optimizer';
  file: string;
  sha256: string;
  passed: boolean;
  error?: string;
}

const report = JSON.parse(readFileSync(path.join(torchFixtureDir, 'checker-report.json'), 'utf8')) as {
  check: string;
  results: ReportEntry[];
};
const KINDS = { training: ARTIFACT_FILES.trainingModel, eval: ARTIFACT_FILES.evalModel, optimizer: ARTIFACT_FILES.optimizerModel } as const;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('onnx.checker (full_check) report', () => {
  it('was made with full_check and lists every case and artifact as passing', () => {
    expect(report.check).toContain('full_check=True');
    const listed = report.results.map((r) => `${r.case}/${r.artifact}`).sort();
    const expected = ARTIFACT_CASES.flatMap((c) => Object.keys(KINDS).map((k) => `${c.name}/${k}`)).sort();
    expect(listed).toEqual(expected);
    for (const r of report.results) expect(r.passed, `${r.case}/${r.artifact}: ${r.error ?? ''}`).toBe(true);
  });

  it.each(ARTIFACT_CASES.map((c) => [c.name, c] as const))('%s: the checked models are what the generator makes now', (name, c) => {
    const files = encodeArtifacts(generateArtifacts(c.model(), c.options));
    for (const [kind, file] of Object.entries(KINDS)) {
      const entry = report.results.find((r) => r.case === name && r.artifact === kind);
      expect(entry?.file).toBe(`${name}/${file}`);
      expect(sha256(files[file]), `${name} ${kind}: rerun /usr/bin/python3 scripts/fixtures/check_artifacts.py`).toBe(entry?.sha256);
    }
  });
});

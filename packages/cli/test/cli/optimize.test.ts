import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '@onnxkit/node';
import type { OptimizeReport } from '../../src/cli/commands/optimize.js';
import { cli, expectOneLineError, mnist8 } from './harness.js';
import { mnistCnn } from './training-data.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-optimize-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('onnxkit optimize', () => {
  it('folds mnist-8 and reports nodes, sizes and what each pass did', async () => {
    const out = path.join(dir, 'mnist-8.opt.onnx');
    const r = await cli(['optimize', mnist8, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^optimized .*mnist-8\.onnx → .*mnist-8\.opt\.onnx\nnodes: 12 → 11; size: [\d,]+ → [\d,]+ bytes\n/);
    expect(r.stdout).toMatch(/ {2}fold-constants: 1 change\n {4}folded Reshape 'Times212_reshape1'/);
    expect(r.stdout).toMatch(/fuse-conv-bn: nothing to do/);
    expect(decodeModel(new Uint8Array(await readFile(out))).graph.nodes).toHaveLength(11);
  });

  it('--logits drops the Softmax of mnist-cnn; --json prints the report', async () => {
    const out = path.join(dir, 'logits.onnx');
    const r = await cli(['optimize', mnistCnn, '-o', out, '--logits', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as OptimizeReport;
    expect(report.nodesAfter).toBe(report.nodesBefore - 1);
    expect(report.passes.find((p) => p.pass === 'strip-softmax')!.notes[0]).toMatch(/output 'probabilities' is now 'logits'/);
    expect(decodeModel(new Uint8Array(await readFile(out))).graph.outputs.map((o) => o.name)).toEqual(['logits']);
  });

  it('names an unknown pass in one line', async () => {
    const line = expectOneLineError(await cli(['optimize', mnistCnn, '-o', path.join(dir, 'x.onnx'), '--passes', 'fold-constants,inline']));
    expect(line).toMatch(/--passes: unknown pass 'inline'; known passes: .*fuse-conv-bn/);
  });
});

import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackReport } from '../../src/pack/index.js';
import { cli, expectOneLineError } from './harness.js';
import { mnistCnn } from './training-data.js';

// The packed folders are run in test/edge (Node without node_modules, Chromium); this checks the command.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-pack-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('onnxkit pack', () => {
  it('lists every file with its bytes and the total', async () => {
    const out = path.join(dir, 'wasm');
    const r = await cli(['pack', mnistCnn, '--target', 'browser-wasm', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = ['onnxkit.mjs', 'model.onnx', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs', 'index.html', 'README.md', 'pack.json'];
    let total = 0;
    for (const f of files) {
      const bytes = (await stat(path.join(out, f))).size;
      total += bytes;
      expect(r.stdout).toMatch(new RegExp(`  ${f.replace(/\./g, '\\.')} +${bytes.toLocaleString('en-US')} bytes`));
    }
    expect(r.stdout).toMatch(new RegExp(`total: ${total.toLocaleString('en-US')} bytes`));
    expect((await readFile(path.join(out, 'model.onnx'))).equals(await readFile(mnistCnn))).toBe(true);
  });

  it('--json gives the report; the runtime bundle is one file', async () => {
    const r = await cli(['pack', mnistCnn, '--target', 'browser-webgpu', '-o', path.join(dir, 'gpu'), '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as PackReport;
    expect(report.target).toBe('browser-webgpu');
    expect(report.files.filter((f) => f.file.endsWith('.mjs') && !f.file.startsWith('ort-'))).toEqual([expect.objectContaining({ file: 'onnxkit.mjs' })]);
    expect(report.totalBytes).toBe(report.files.reduce((s, f) => s + f.bytes, 0));
  });

  it('fails in one line for an unknown target or a missing --target', async () => {
    expect(expectOneLineError(await cli(['pack', mnistCnn, '--target', 'esp32', '-o', path.join(dir, 'x')]))).toMatch(/--target.*esp32.*node, browser-wasm, browser-webgpu/);
    expect(expectOneLineError(await cli(['pack', mnistCnn, '-o', path.join(dir, 'x')]))).toMatch(/--target/);
  });
});

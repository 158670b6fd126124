// The API reference (docs/api, `pnpm docs:api`) is generated, not committed: CI generates it here from
// the TSDoc with TypeDoc, with every warning (a broken {@link}, a bad tag) an error.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';

const out = mkdtempSync(path.join(tmpdir(), 'onnxkit-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('TypeDoc API reference', () => {
  it('generates without warnings, one module per entry point, with the examples', async () => {
    const typedoc = path.join(repoRoot, 'node_modules/.bin/typedoc');
    await promisify(execFile)(typedoc, ['--out', out, '--treatWarningsAsErrors'], { cwd: repoRoot, timeout: 120_000 });
    for (const entry of ['core', 'core_onnx', 'core_train', 'core_convert', 'core_quantize', 'node', 'web', 'models']) {
      expect(existsSync(path.join(out, 'modules', `_onnxkit_${entry}.html`)), entry).toBe(true);
    }
    const createSession = readFileSync(path.join(out, 'functions', '_onnxkit_core.createSession.html'), 'utf8');
    expect(createSession).toContain('Example');
    expect(createSession).toContain('mnist-cnn');
  });
});

// examples/node-app as a user has it: a plain npm project outside the repo, installed with `npm install`
// of freshly packed tarballs (not through the workspace), with onnxruntime-node's CUDA download skipped.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packTarballs } from '../../packages/testkit/src/pack-tarballs.js';
import { repoRoot } from '../support/paths.js';

const run = promisify(execFile);
let work: string;
let app: string;
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_fund: 'false', npm_config_audit: 'false' };

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'onnxkit-node-app-'));
  const tarballs = packTarballs(['core', 'models', 'node'], path.join(work, 'tarballs'));
  app = path.join(work, 'node-app');
  cpSync(path.join(repoRoot, 'examples/node-app'), app, { recursive: true, filter: (f) => !f.includes('node_modules') });
  // The versions the repo builds with; the tarballs satisfy each other's @onnxkit/* dependencies.
  const deps = [tarballs.core, tarballs.models, tarballs.node, 'typescript@5.9.3', '@types/node@20'];
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...deps], { cwd: app, env, timeout: 240_000 });
}, 300_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function checkOutput(stdout: string): void {
  expect(stdout).toMatch(/^digit\.png: 7 \(\d+\.\d%\) on cpu$/m);
  const losses = [...stdout.matchAll(/^step (\d): loss (\d+\.\d+)$/gm)].map((m) => Number(m[2]));
  expect(losses).toHaveLength(3);
  expect(losses.every(Number.isFinite)).toBe(true);
  // Training on the image as a 7 makes the model more sure of it.
  expect(losses[2]).toBeLessThan(losses[0]);
}

describe('examples/node-app installed from packed tarballs', () => {
  it('ESM: classifies the PNG with the model loaded by name and fine-tunes three steps', async () => {
    const { stdout } = await run(process.execPath, ['classify.mjs', 'digit.png'], { cwd: app, env, timeout: 120_000 });
    checkOutput(stdout);
  });

  it('CommonJS: the same through require()', async () => {
    const { stdout } = await run(process.execPath, ['classify.cjs', 'digit.png'], { cwd: app, env, timeout: 120_000 });
    checkOutput(stdout);
  });

  it('TypeScript type-checks with module node16 (ESM and .cts) and with moduleResolution bundler', async () => {
    const tsc = path.join(app, 'node_modules/.bin/tsc');
    await expect(run(tsc, ['-p', 'tsconfig.node16.json'], { cwd: app, env })).resolves.toBeDefined();
    await expect(run(tsc, ['-p', 'tsconfig.bundler.json'], { cwd: app, env })).resolves.toBeDefined();
  });

  it("docs/INSTALL.md's second command runs in the installed app", async () => {
    const install = readFileSync(path.join(repoRoot, 'docs/INSTALL.md'), 'utf8');
    const [, second] = install.match(/## In an app[\s\S]*?```sh\n([\s\S]*?)```/)![1].trim().split('\n');
    const { stdout } = await run('bash', ['-c', second], { cwd: app, env, timeout: 60_000 });
    expect(stdout).toContain("'0', '1', '2'");
  });

  it('the library install leaves the CUDA provider out (ONNXRUNTIME_NODE_INSTALL=skip) and resolves @onnxkit/* locally', async () => {
    const { stdout } = await run('npm', ['ls', '--all', '--json', '@onnxkit/core', '@onnxkit/models'], { cwd: app, env });
    const tree = JSON.stringify(JSON.parse(stdout));
    expect(tree).toContain('onnxkit-core-0.1.0.tgz');
    expect(tree).toContain('onnxkit-models-0.1.0.tgz');
  });
});

import { execFile } from 'node:child_process';
import path from 'node:path';
import { runCli } from '../../src/cli/program.js';

/** The repository root (tests compute fixture paths from it). */
export const repoRoot = path.resolve(__dirname, '../../../..');
/** Shared fixtures, never copied into the repo. */
export const fixtures = path.resolve(repoRoot, '../shared/fixtures');
/** mnist-8 from the ONNX model zoo (input Input3 float32 [1,1,28,28], output Plus214_Output_0 [1,10]). */
export const mnist8 = path.join(fixtures, 'models/mnist-onnx/mnist-8.onnx');

/** What one CLI invocation produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `onnxkit <args>` in this process, capturing its output. */
export async function cli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
  });
  return { code, stdout, stderr };
}

/** Runs the real executable the way `pnpm onnxkit` does (tsx on the source entry), in a child process. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
  return new Promise((resolve) => {
    execFile(
      tsx,
      [path.join(repoRoot, 'packages/cli/src/cli/main.ts'), ...args],
      { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Asserts the shape every failure must have: a non-zero exit and exactly one line on stderr, no stack. */
export function expectOneLineError(r: CliResult): string {
  if (r.code === 0) throw new Error(`expected a failure, got exit 0 with stdout:\n${r.stdout}`);
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  if (lines.length !== 1 || !lines[0].startsWith('onnxkit: ')) {
    throw new Error(`expected one 'onnxkit: …' line on stderr, got:\n${r.stderr}`);
  }
  return lines[0];
}

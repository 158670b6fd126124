// `onnxkit worker` processes for the queue tests: the real executable (tsx on the source entry).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../cli/harness.js';

/** A worker process and everything it has logged so far. */
export interface WorkerProcess {
  process: ChildProcess;
  log(): string;
  /** Resolves once the log matches `pattern` (rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `onnxkit worker --queue url --root root …args` and waits until it is ready. */
export async function startWorker(url: string, root: string, args: string[] = []): Promise<WorkerProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'packages/node/src/cli/main.ts'), 'worker', '--queue', url, '--root', root, '--workers', '1', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const waiters: (() => void)[] = [];
  p.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (pattern: RegExp, ms = 30_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker log never matched ${pattern}:\n${log}`)), ms);
      const check = () => {
        const m = log.match(pattern);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        } else if (p.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`worker exited (${p.exitCode}):\n${log}`));
        } else waiters.push(check);
      };
      check();
    });
  const worker: WorkerProcess = {
    process: p,
    log: () => log,
    waitFor,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (p.exitCode !== null || p.signalCode !== null) return resolve();
        p.once('exit', () => resolve());
        p.kill(signal);
      }),
  };
  await waitFor(/worker ready/);
  return worker;
}

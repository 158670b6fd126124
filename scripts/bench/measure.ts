// Small helpers every benchmark script shares: medians, the load average, the machine's description.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Median of a list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

/** Core count (nproc), CPU model and Node version of this machine. */
export function machineInfo(): { nproc: number; cpu: string; node: string } {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: Number(execFileSync('nproc').toString().trim()),
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
}

/** Wall and process CPU seconds (all threads) of `run(warmup)` … `run(warmup + count − 1)`, after untimed `run(0)` … `run(warmup − 1)`. */
export async function timeSteps(run: (i: number) => Promise<void>, warmup: number, count: number): Promise<{ seconds: number; cpuSeconds: number }> {
  for (let i = 0; i < warmup; i++) await run(i);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await run(warmup + i);
  const cpu = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

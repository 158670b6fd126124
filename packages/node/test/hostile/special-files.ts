import { execFileSync } from 'node:child_process';

/** Makes a FIFO (named pipe) at `file`; opening it for reading without O_NONBLOCK would wait for a writer forever. */
export function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

/** Rejects when `p` has not settled within `ms`: a read that blocks on a FIFO fails the test instead of hanging it. */
export async function within<T>(p: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms (blocked?)`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The rejection of `p` (fails when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: unknown }> {
  return within(p).then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

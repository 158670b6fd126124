/** Where a CLI invocation writes and what it reads from its environment; tests pass their own. */
export interface CliContext {
  /** Writes text to standard output (callers add the newline). */
  readonly stdout: (text: string) => void;
  /** Writes text to standard error (callers add the newline). */
  readonly stderr: (text: string) => void;
  /** Environment variables (`ONNXKIT_DEBUG=1` prints stack traces after errors). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The context of a real process: its stdout, stderr and environment. */
export function processContext(): CliContext {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
  };
}

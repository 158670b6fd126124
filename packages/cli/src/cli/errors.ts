/**
 * A mistake in how the CLI was called (a bad option value, an unknown input name): reported as one line,
 * like every error, but never with a stack trace since it points at the command line, not the code.
 */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** An error's message folded onto one line: library messages may list expectations over several lines. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .join(' ');
  return line || (err instanceof Error ? err.name : 'unknown error');
}

/** How one fuzz case ended, as the case itself can tell ('hang' and 'crash' are told by the runner). */
export type CaseOutcome = 'typed' | 'accepted' | 'escape' | 'untyped';

/** How one fuzz case ended, from the runner's point of view. */
export type Outcome = CaseOutcome | 'hang' | 'crash';

/** One input for one entry point. */
export interface FuzzCase {
  /** What the input is, for the log (e.g. `'bit flips'`, `'shard -> /dev/zero'`). */
  label: string;
  /**
   * The input reaches outside its folder (a symlink or `..` to a file planted outside): accepting it means
   * something was read from outside, an escape.
   */
  mustRefuse?: boolean;
  /** Feeds the input to the entry point: resolves when it was accepted, throws its error otherwise. */
  run(): Promise<unknown>;
}

/** Messages of JavaScript's own failures: an error like these means a check is missing. */
const INTERNAL =
  /Maximum call stack|is not a function|Cannot read propert|Cannot set propert|is not iterable|Invalid array length|Invalid typed array length|Array buffer allocation failed|allocation failed|out of memory|undefined is not|null is not|is not defined|Cannot convert|Offset is outside the bounds|out of range index/i;

/**
 * A thrown value as a fuzz outcome: `'typed'` for onnxkit's errors (a class with a string `code`, or a
 * TypeError/RangeError from one of its checks), `'untyped'` for anything else (a raw file-system error,
 * JavaScript's own TypeErrors such as "x is not a function", a plain Error). `detail` is one line.
 */
export function judgeError(e: unknown): { outcome: CaseOutcome; detail: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as Error & { code?: unknown }).code;
  const detail = `${err.name}${typeof code === 'string' ? `[${code}]` : ''}: ${err.message.split('\n')[0].slice(0, 200)}`;
  // An onnxkit error class with a code is typed even when it quotes a library's message as the cause.
  if (typeof code === 'string' && err.name !== 'Error' && !/^(E[A-Z]+|ERR_)/.test(code)) return { outcome: 'typed', detail };
  if ((err instanceof TypeError || err instanceof RangeError) && !INTERNAL.test(err.message)) return { outcome: 'typed', detail };
  return { outcome: 'untyped', detail };
}

/** The outcome of one CLI run: exit 0 is acceptance; a failure must be one clear line on stderr. */
export function judgeCli(r: { code: number; stderr: string }): { outcome: CaseOutcome; detail: string } {
  if (r.code === 0) return { outcome: 'accepted', detail: 'exit 0' };
  const lines = r.stderr.split('\n').filter((l) => l.trim().length > 0);
  const detail = `exit ${r.code}: ${(lines[0] ?? '').slice(0, 200)}`;
  const clean = lines.length === 1 && /^onnxkit: /.test(lines[0]) && !INTERNAL.test(lines[0]);
  return { outcome: clean ? 'typed' : 'untyped', detail };
}

import path from 'node:path';

/**
 * The path of `name` inside `root`, for names that came from someone else (a queue job, a list file):
 * refuses absolute names, names with a NUL byte, and names whose `..` would climb out of `root`.
 * Symbolic links are not followed here: read the result with `readUntrustedFile(p, { within: root })`,
 * which refuses a link that leads outside. Throws a RangeError naming `what` and the name.
 */
export function resolveInside(root: string, name: string, what = 'file name'): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`${what}: expected a non-empty string, got ${JSON.stringify(name)}`);
  if (name.includes('\0')) throw new RangeError(`${what} ${JSON.stringify(name)}: contains a NUL byte`);
  if (path.isAbsolute(name) || path.win32.isAbsolute(name)) throw new RangeError(`${what} ${JSON.stringify(name)}: absolute; names must be relative to ${root}`);
  const base = path.resolve(root);
  const full = path.resolve(base, name);
  if (full === base || !full.startsWith(base.endsWith(path.sep) ? base : base + path.sep)) {
    throw new RangeError(`${what} ${JSON.stringify(name)}: leads outside ${root}; refusing it`);
  }
  return full;
}

import { ConvertError } from '../errors.js';

/**
 * Checks that `path` (a zip entry name or a TF.js weight-shard path) stays inside its folder: relative,
 * no `..` segment, no drive letter or backslash tricks. Returns it without a leading `./`.
 * Throws a {@link ConvertError} `'unsafe-path'` naming `what` otherwise.
 */
export function checkRelativePath(path: string, what: string): string {
  const bad = (why: string) => new ConvertError('unsafe-path', `${what} '${path}' ${why}; refusing to read it`);
  if (path.length === 0) throw bad('is empty');
  if (path.includes('\0')) throw bad('contains a NUL character');
  if (path.includes('\\')) throw bad('contains a backslash');
  if (path.startsWith('/')) throw bad('is absolute');
  if (/^[A-Za-z]:/.test(path)) throw bad('starts with a drive letter');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw bad('is a URL, not a path relative to the model');
  const parts = path.split('/');
  if (parts.includes('..')) throw bad('escapes its folder (it has a .. segment)');
  return parts.filter((p, i) => !(p === '.' && i < parts.length - 1) && p !== '').join('/');
}

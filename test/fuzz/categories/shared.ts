import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the shared fixtures beside it. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixtures = path.resolve(repoRoot, '../shared/fixtures');

/** Special files a path from a stranger may name instead of a regular file. */
export const SPECIAL_KINDS = ['fifo', 'dev-zero', 'dev-zero-link', 'directory', 'empty', 'missing', 'link-out'] as const;
export type SpecialKind = (typeof SPECIAL_KINDS)[number];

/**
 * Makes `file` the special kind (a FIFO, a link to /dev/zero, a folder, an empty file, nothing, or a link
 * to `outside`, a file planted outside the folder) and returns the path to pass (`/dev/zero` itself for
 * 'dev-zero').
 */
export async function makeSpecial(kind: SpecialKind, file: string, outside: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  switch (kind) {
    case 'fifo':
      execFileSync('mkfifo', [file]);
      return file;
    case 'dev-zero':
      return '/dev/zero';
    case 'dev-zero-link':
      await symlink('/dev/zero', file);
      return file;
    case 'directory':
      await mkdir(file);
      return file;
    case 'empty':
      await writeFile(file, new Uint8Array(0));
      return file;
    case 'missing':
      return file;
    case 'link-out':
      await symlink(outside, file);
      return file;
  }
}

/** Picks one of `items`. */
export function pick<T>(items: readonly T[], rng: { int(n: number): number }): T {
  return items[rng.int(items.length)];
}

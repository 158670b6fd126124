import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * Create the parent folder (and its parents) when missing.
   * @defaultValue false
   */
  mkdir?: boolean;
}

/**
 * Writes `data` to `file` so that readers see either the old file or the whole new one, never a torn
 * write: the bytes go to a temporary file in the same folder, are flushed to disk, then renamed over
 * `file` (rename is atomic within one file system). The temporary file is removed when anything fails,
 * and temporary files of the same target left by a process that no longer runs (killed mid-write) are
 * removed first.
 */
export async function writeFileAtomic(
  file: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  if (typeof file !== 'string' || file.length === 0) throw new TypeError('writeFileAtomic: file must be a non-empty path');
  const target = path.resolve(file);
  const dir = path.dirname(target);
  if (options.mkdir) await mkdir(dir, { recursive: true });
  await removeStaleTemps(dir, path.basename(target));
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Removes `.<name>.<pid>.<hex>.tmp` files in `dir` whose writing process is gone. */
async function removeStaleTemps(dir: string, name: string): Promise<void> {
  const prefix = `.${name}.`;
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return; // The write itself reports a missing folder.
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(entry.slice(prefix.length));
    if (m && !isRunning(Number(m[1]))) await rm(path.join(dir, entry), { force: true });
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

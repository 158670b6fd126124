import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
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
 * `file` (rename is atomic within one file system). The temporary file is removed when anything fails.
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

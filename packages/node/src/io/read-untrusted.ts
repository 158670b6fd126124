import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { FileAccessError } from './file-access-error.js';
import { describeFsError } from './fs-error.js';
import { FILE_LIMITS, fileLimit, type FileKind } from './limits.js';

/** Options of {@link readUntrustedFile}. */
export interface ReadUntrustedOptions {
  /** Which size limit applies (see `FILE_LIMITS`). */
  kind: FileKind;
  /** A lower limit for this one read, e.g. what an image under the pixel limit can need. @defaultValue the kind's limit */
  maxBytes?: number;
  /** Words for the file in messages (`cannot read <what> '<path>': …`), e.g. `'model'`. @defaultValue 'file' */
  what?: string;
  /**
   * A folder the file must stay inside once every symbolic link is followed (the model's folder for its
   * external data, `model.json`'s folder for its shards). @defaultValue no such check
   */
  within?: string;
}

// O_NONBLOCK: opening a FIFO for reading must not wait for a writer; fstat then refuses it.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * Reads a whole file that came from a stranger: only a regular file (never a FIFO, which would block, nor
 * a device like `/dev/zero`, which never ends), at most its kind's size limit (checked before allocating),
 * and with `within`, only when its real path (symbolic links followed) stays inside that folder.
 * Throws a {@link FileAccessError} naming the path and the reason.
 */
export async function readUntrustedFile(file: string, options: ReadUntrustedOptions): Promise<Uint8Array> {
  const fail = failure(file, options);
  let target = path.resolve(file);
  if (options.within !== undefined) target = await confined(target, options.within, fail);
  let handle;
  try {
    handle = await open(target, OPEN_FLAGS);
  } catch (err) {
    throw fsFailure(fail, err);
  }
  try {
    const out = new Uint8Array(checkedSize(await handle.stat(), options, fail));
    // Read exactly the size fstat gave: a file that grows meanwhile cannot push past the limit.
    let done = 0;
    while (done < out.length) {
      const { bytesRead } = await handle.read(out, done, out.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === out.length ? out : out.subarray(0, done);
  } catch (err) {
    throw err instanceof FileAccessError ? err : fail('unreadable', describeFsError(err), err);
  } finally {
    await handle.close();
  }
}

/** {@link readUntrustedFile} for synchronous loaders (e.g. IDX folders); no `within` check. */
export function readUntrustedFileSync(file: string, options: Omit<ReadUntrustedOptions, 'within'>): Uint8Array {
  const fail = failure(file, options);
  let fd: number;
  try {
    fd = openSync(path.resolve(file), OPEN_FLAGS);
  } catch (err) {
    throw fsFailure(fail, err);
  }
  try {
    const out = new Uint8Array(checkedSize(fstatSync(fd), options, fail));
    let done = 0;
    while (done < out.length) {
      const n = readSync(fd, out, done, out.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return done === out.length ? out : out.subarray(0, done);
  } catch (err) {
    throw err instanceof FileAccessError ? err : fail('unreadable', describeFsError(err), err);
  } finally {
    closeSync(fd);
  }
}

type Fail = (code: FileAccessError['code'], why: string, cause?: unknown) => FileAccessError;

function failure(file: string, options: Pick<ReadUntrustedOptions, 'what'>): Fail {
  const what = options.what ?? 'file';
  return (code, why, cause) => new FileAccessError(code, file, `cannot read ${what} '${file}': ${why}`, why, cause === undefined ? undefined : { cause });
}

function fsFailure(fail: Fail, err: unknown): FileAccessError {
  return fail((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : 'unreadable', describeFsError(err), err);
}

/** The size to read: refuses anything but a regular file, and a file over the limit, before allocating. */
function checkedSize(info: Stats, options: Pick<ReadUntrustedOptions, 'kind' | 'maxBytes'>, fail: Fail): number {
  if (!info.isFile()) throw fail('not-a-file', `it is ${kindOf(info)}, not a regular file; refusing to read it`);
  const kindLimit = fileLimit(options.kind);
  const limit = Math.min(kindLimit, options.maxBytes ?? kindLimit);
  if (info.size > limit) {
    const hint = limit === kindLimit ? ` (set ${FILE_LIMITS[options.kind].env} to raise it)` : '';
    throw fail('too-large', `${info.size.toLocaleString('en-US')} bytes, over the limit of ${limit.toLocaleString('en-US')}${hint}`);
  }
  return info.size;
}

async function confined(target: string, folder: string, fail: Fail): Promise<string> {
  let real: string;
  let root: string;
  try {
    [real, root] = await Promise.all([realpath(target), realpath(folder)]);
  } catch (err) {
    throw fsFailure(fail, err);
  }
  const inside = real === root ? false : real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  if (!inside) throw fail('outside-folder', `leads outside its folder ${folder} (to ${real}); refusing to read it`);
  return real;
}

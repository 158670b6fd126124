import { unzipSync } from 'fflate';
import { ConvertError } from '../errors.js';
import { checkRelativePath } from './safe-path.js';

/** Largest uncompressed size accepted for a whole archive: a guard against zip bombs. */
const MAX_UNZIPPED_BYTES = 2 ** 31;

/** True when `bytes` start like a zip archive (a local file header or an empty archive). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/**
 * Reads every entry of a zip archive (fflate). Entry names are checked before anything is inflated: one
 * that would escape the archive's folder is a {@link ConvertError} `'unsafe-path'`; a cut-off archive is
 * `'truncated'`, other damage `'corrupt'`.
 */
export function readZip(bytes: Uint8Array, what: string): Map<string, Uint8Array> {
  if (!hasEndRecord(bytes)) {
    throw new ConvertError('truncated', `${what} is truncated: the zip archive has no end-of-central-directory record (${bytes.length} bytes)`);
  }
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (entry) => {
        checkRelativePath(entry.name, `${what}: zip entry`);
        total += entry.originalSize;
        if (total > MAX_UNZIPPED_BYTES) {
          throw new ConvertError('corrupt', `${what}: the zip archive claims more than ${MAX_UNZIPPED_BYTES} uncompressed bytes; refusing to inflate it`);
        }
        return true;
      },
    });
  } catch (err) {
    if (err instanceof ConvertError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    const cut = /unexpected EOF|end of/i.test(reason);
    throw new ConvertError(cut ? 'truncated' : 'corrupt', `${what} is ${cut ? 'truncated' : 'not a readable zip archive'} (${reason})`, { cause: err });
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(files)) out.set(checkRelativePath(name, `${what}: zip entry`), data);
  return out;
}

/** The end-of-central-directory signature within the last 64 KiB + 22 bytes, where the format puts it. */
function hasEndRecord(bytes: Uint8Array): boolean {
  const stop = Math.max(0, bytes.length - 65_557);
  for (let i = bytes.length - 22; i >= stop; i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 5 && bytes[i + 3] === 6) return true;
  }
  return false;
}

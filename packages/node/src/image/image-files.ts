import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** File extensions taken as images when a folder is listed. */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze([
  '.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif', '.svg',
]);

/**
 * Expands paths into image files: a file is kept as it is (even if it is not an image, so its error is
 * reported for it), a folder gives its files with an image extension, sorted by name (not recursive).
 * A path that does not exist is kept too, to be reported when read.
 */
export async function listImageFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      // Missing or unreadable: the decoder reports it for this path.
    }
    if (!isDir) {
      out.push(p);
      continue;
    }
    const names = (await readdir(p)).filter((n) => IMAGE_EXTENSIONS.includes(path.extname(n).toLowerCase()));
    names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    out.push(...names.map((n) => path.join(p, n)));
  }
  return out;
}

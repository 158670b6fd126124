/**
 * Lets the user save `bytes` as a file named `filename` (the browser's download), e.g. a fine-tuned
 * model from {@link exportModelBytes}.
 * @param type - MIME type of the file. @defaultValue `'application/octet-stream'`
 */
export function downloadBytes(bytes: Uint8Array, filename: string, type = 'application/octet-stream'): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('downloadBytes: bytes must be a Uint8Array');
  if (typeof filename !== 'string' || filename.length === 0) throw new TypeError('downloadBytes: filename must be a non-empty string');
  if (typeof document === 'undefined') throw new Error('downloadBytes: needs a page (document is undefined here)');
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The click starts the download synchronously; the URL only has to live until then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

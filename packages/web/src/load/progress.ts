/** How far a model download or file read has come. */
export interface LoadProgress {
  /** Bytes received so far. */
  readonly loaded: number;
  /** Bytes expected in all; undefined when the server did not say (no Content-Length, or compressed). */
  readonly total: number | undefined;
}

/** Options of {@link fetchModel} and {@link readModelFile}. */
export interface LoadOptions {
  /**
   * Called as bytes arrive (once per chunk) and once more at the end, when `loaded` is the final size.
   * @defaultValue none
   */
  onProgress?: (progress: LoadProgress) => void;
  /** Aborts the download or read. @defaultValue none */
  signal?: AbortSignal;
}

/** Checks the options shared by the loaders; `where` names the function in errors. */
export function checkLoadOptions(where: string, options: LoadOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object`);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw new TypeError(`${where}: options.onProgress must be a function`);
  }
}

/**
 * Reads a byte stream to the end, reporting progress per chunk. The chunks are copied once into a
 * buffer of `total` bytes when the size is known, so a large model is not held twice.
 */
export async function readStream(
  stream: ReadableStream<Uint8Array>,
  total: number | undefined,
  options: LoadOptions,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const onAbort = () => void reader.cancel(options.signal?.reason).catch(() => undefined);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let buffer = new Uint8Array(total ?? 64 * 1024);
    let loaded = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.length > buffer.length) {
        const grown = new Uint8Array(Math.max(buffer.length * 2, loaded + value.length));
        grown.set(buffer.subarray(0, loaded));
        buffer = grown;
      }
      buffer.set(value, loaded);
      loaded += value.length;
      options.onProgress?.({ loaded, total });
    }
    options.signal?.throwIfAborted();
    options.onProgress?.({ loaded, total: loaded });
    return loaded === buffer.length ? buffer : buffer.slice(0, loaded);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
}

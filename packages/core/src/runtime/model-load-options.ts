/** How far a model download or read has come. */
export interface ModelLoadProgress {
  /** Bytes received so far. */
  readonly loaded: number;
  /** Bytes expected in all; undefined when the server did not say (no Content-Length, or compressed). */
  readonly total: number | undefined;
}

/** An `AbortSignal` as core sees it (core has no DOM types; a real AbortSignal fits). */
export interface ModelLoadSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * How a model given as a string (a file path, a shipped model's name, or an http(s) URL) is read, for
 * `createSession(model, { load })` and `Classifier.load(model, { load })`. The platform runtime honours
 * what applies to it: the browser fetches URLs itself (the HTTP cache is the browser's); Node downloads
 * http(s) URLs into a cache folder.
 */
export interface ModelLoadOptions {
  /**
   * Called as bytes arrive (once per chunk) and once at the end, when `loaded` is the final size.
   * @defaultValue none
   */
  onProgress?: (progress: ModelLoadProgress) => void;
  /** Aborts the download or read; the promise rejects with the signal's reason. @defaultValue none */
  signal?: ModelLoadSignal;
  /**
   * Node: the folder where downloaded models are kept, so the second load of a URL is local; `false`
   * downloads every time.
   * @defaultValue `$ONNXKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/onnxkit/models`, else `~/.cache/onnxkit/models`
   */
  cacheDir?: string | false;
  /**
   * The model's expected SHA-256, as 64 hex digits or Subresource Integrity (`sha256-<base64>`). A
   * download (or a cached copy) whose digest differs is refused and not kept. @defaultValue none
   */
  integrity?: string;
  /**
   * Node: refuse a download larger than this many bytes, before and while receiving it.
   * @defaultValue `ONNXKIT_MAX_MODEL_BYTES` or the model file limit (see docs/SECURITY.md)
   */
  maxBytes?: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const SHA256_SRI = /^sha256-[A-Za-z0-9+/]{43}=$/;

/** Checks {@link ModelLoadOptions}; `where` names the caller in errors (TypeError wrong kind, RangeError out of range). */
export function checkModelLoadOptions(where: string, options: unknown): ModelLoadOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${where}: options.load must be an object`);
  }
  const o = options as ModelLoadOptions;
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new TypeError(`${where}: options.load.onProgress must be a function`);
  }
  if (o.signal !== undefined && (o.signal === null || typeof o.signal !== 'object' || typeof o.signal.aborted !== 'boolean')) {
    throw new TypeError(`${where}: options.load.signal must be an AbortSignal`);
  }
  if (o.cacheDir !== undefined && o.cacheDir !== false && (typeof o.cacheDir !== 'string' || o.cacheDir.length === 0)) {
    throw new TypeError(`${where}: options.load.cacheDir must be a non-empty path or false`);
  }
  if (o.integrity !== undefined) {
    if (typeof o.integrity !== 'string') throw new TypeError(`${where}: options.load.integrity must be a string`);
    if (!SHA256_HEX.test(o.integrity) && !SHA256_SRI.test(o.integrity)) {
      throw new RangeError(`${where}: options.load.integrity must be 64 hex digits or 'sha256-<base64>', got '${o.integrity}'`);
    }
  }
  if (o.maxBytes !== undefined) {
    if (typeof o.maxBytes !== 'number') throw new TypeError(`${where}: options.load.maxBytes must be a number`);
    if (!Number.isSafeInteger(o.maxBytes) || o.maxBytes <= 0) {
      throw new RangeError(`${where}: options.load.maxBytes must be a positive integer, got ${o.maxBytes}`);
    }
  }
  return o;
}

/** The SHA-256 of {@link ModelLoadOptions.integrity} as lower-case hex. */
export function integrityHex(integrity: string): string {
  if (SHA256_HEX.test(integrity)) return integrity.toLowerCase();
  // Base64 by hand: core has neither Buffer nor (in its ES2022 lib) atob.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let bits = 0;
  let value = 0;
  let hex = '';
  for (const ch of integrity.slice('sha256-'.length).replace(/=+$/, '')) {
    value = (value << 6) | alphabet.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      hex += ((value >> bits) & 0xff).toString(16).padStart(2, '0');
    }
  }
  return hex;
}

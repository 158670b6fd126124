import { getRuntime, type OrtEnv } from '@onnxkit/core';

/** Settings of onnxruntime-web; ORT reads them when it starts, so set them before the first session. */
export interface WebRuntimeOptions {
  /**
   * Where ORT's `.wasm`/`.mjs` files are served: a folder URL ending in `/`, or explicit file URLs.
   * @defaultValue next to the onnxruntime-web bundle (where a bundler put it)
   */
  wasmPaths?: string | { wasm?: string | URL; mjs?: string | URL };
  /** WebAssembly threads; above 1 needs a cross-origin-isolated page. @defaultValue ORT's choice */
  numThreads?: number;
  /** Run WASM inference in a worker. @defaultValue false */
  proxy?: boolean;
  /** ORT's global log level; `'verbose'` prints node placement. @defaultValue `'warning'` */
  logLevel?: 'verbose' | 'info' | 'warning' | 'error' | 'fatal';
}

let started = false;

/** Marks ORT as started (called when the first session is created). */
export function markWebRuntimeStarted(): void {
  started = true;
}

/** The `ort.env` of the registered web runtime (the build `@onnxkit/web` or `@onnxkit/web/wasm` registered). */
function webEnv(): OrtEnv {
  const runtime = getRuntime();
  if (runtime.platform !== 'web') {
    throw new Error(`configureWeb: the registered runtime is ${runtime.name}, not onnxruntime-web; import '@onnxkit/web'`);
  }
  return runtime.env;
}

/**
 * Configures onnxruntime-web. Throws an Error if a session was already created (ORT has then read its
 * settings), a TypeError/RangeError for bad values.
 */
export function configureWeb(options: WebRuntimeOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('configureWeb: options must be an object');
  const { wasmPaths, numThreads, proxy, logLevel } = options;
  if (started && (wasmPaths !== undefined || numThreads !== undefined || proxy !== undefined)) {
    throw new Error('configureWeb: wasmPaths, numThreads and proxy must be set before the first session is created');
  }
  const env = webEnv();
  if (wasmPaths !== undefined) {
    if (typeof wasmPaths !== 'string' && (wasmPaths === null || typeof wasmPaths !== 'object')) {
      throw new TypeError('configureWeb: wasmPaths must be a URL prefix string or { wasm, mjs }');
    }
    env.wasm.wasmPaths = wasmPaths;
  }
  if (numThreads !== undefined) {
    if (!Number.isInteger(numThreads) || numThreads < 0) {
      throw new RangeError(`configureWeb: numThreads must be a non-negative integer, got ${numThreads}`);
    }
    env.wasm.numThreads = numThreads;
  }
  if (proxy !== undefined) env.wasm.proxy = Boolean(proxy);
  if (logLevel !== undefined) {
    if (!['verbose', 'info', 'warning', 'error', 'fatal'].includes(logLevel)) {
      throw new RangeError(`configureWeb: logLevel must be verbose, info, warning, error or fatal, got '${logLevel}'`);
    }
    env.logLevel = logLevel;
  }
}

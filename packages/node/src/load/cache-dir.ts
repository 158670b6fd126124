import { homedir } from 'node:os';
import path from 'node:path';

/**
 * The folder downloaded models are kept in when `load.cacheDir` is not given: `$ONNXKIT_CACHE_DIR`,
 * else `$XDG_CACHE_HOME/onnxkit/models`, else `~/.cache/onnxkit/models` (the XDG default).
 */
export function defaultModelCacheDir(): string {
  const own = process.env.ONNXKIT_CACHE_DIR;
  if (own) return path.resolve(own);
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache'), 'onnxkit', 'models');
}

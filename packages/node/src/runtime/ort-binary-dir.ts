import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Shared libraries onnxruntime-node's CUDA provider needs next to its binding (from its install-metadata.js). */
export const CUDA_PROVIDER_LIBRARIES: readonly string[] = Object.freeze([
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
]);

/** The folder of the onnxruntime-node package onnxkit loads, if found. */
export function ortPackageDir(): string | undefined {
  try {
    // `require` exists in the CJS build; the ESM build needs one made from its own URL.
    const req = typeof require === 'function' ? require : createRequire(import.meta.url);
    return path.dirname(req.resolve('onnxruntime-node/package.json'));
  } catch {
    return undefined;
  }
}

/** The folder holding onnxruntime-node's native binding and libraries for this platform, if found. */
export function ortBinaryDir(): string | undefined {
  const dir = ortPackageDir();
  return dir === undefined ? undefined : path.join(dir, 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * Names the CUDA provider libraries missing from onnxruntime-node's folder: ORT's own error only says
 * "Failed to load shared library" (the path goes to its native log on stderr).
 */
export function explainCudaFailure(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return `onnxruntime-node ships CUDA support for linux/x64 only, this is ${process.platform}/${process.arch}`;
  }
  const dir = ortBinaryDir();
  if (!dir) return undefined;
  const missing = CUDA_PROVIDER_LIBRARIES.filter((lib) => !existsSync(path.join(dir, lib)));
  if (missing.length > 0) return `missing ${missing.join(', ')} in ${dir}`;
  return (
    `the provider libraries are present in ${dir}, so a CUDA 12 / cuDNN 9 library ` +
    `(libcudart.so.12, libcublas.so.12, libcudnn.so.9) is probably not on the library path`
  );
}

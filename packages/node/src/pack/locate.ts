import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ortBinaryDir } from '../runtime/ort-binary-dir.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The repository's package sources, when onnxkit runs from a checkout (they bundle without a build). */
export function packageSources(): { core?: string; web?: string; webWasm?: string } {
  const root = path.resolve(here, '../../..');
  const at = (p: string) => (existsSync(path.join(root, p)) ? path.join(root, p) : undefined);
  const core = at('core/src/index.ts');
  const web = at('web/src/index.ts');
  const webWasm = at('web/src/wasm.ts');
  return { ...(core ? { core } : {}), ...(web ? { web } : {}), ...(webWasm ? { webWasm } : {}) };
}

/** The bundle entry for a target (TypeScript next to this file in a checkout, JavaScript in a build). */
export function entryFile(name: 'node-entry' | 'browser-entry'): string {
  for (const ext of ['.ts', '.js']) {
    const file = path.join(here, 'entries', `${name}${ext}`);
    if (existsSync(file)) return file;
  }
  throw new Error(`onnxkit pack: the runtime entry '${name}' is missing from ${path.join(here, 'entries')}`);
}

/** onnxruntime-node's native folder for this platform (`runtime/ort-binary-dir.ts` locates it); throws when absent. */
export function ortNodeBinaryDir(): string {
  const dir = ortBinaryDir();
  if (dir === undefined) throw new Error('onnxkit pack: onnxruntime-node is not installed');
  if (!existsSync(path.join(dir, 'onnxruntime_binding.node'))) throw new Error(`onnxkit pack: onnxruntime-node has no binding for ${process.platform}/${process.arch} (${dir})`);
  return dir;
}

/** onnxruntime-web's dist folder (its .wasm and .mjs files). */
export function ortWebDist(): string {
  const candidates = [require];
  const web = packageSources().web;
  if (web) candidates.unshift(createRequire(web));
  for (const req of candidates) {
    try {
      return path.dirname(req.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
    } catch {
      // try the next place
    }
  }
  throw new Error('onnxkit pack: onnxruntime-web is not installed (npm install onnxruntime-web)');
}

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ errors: unknown[]; warnings: { text: string }[] }>;
}

/** esbuild, which bundles the runtime; an optional dependency, so a clear error says how to get it. */
export async function loadEsbuild(): Promise<Esbuild> {
  try {
    return (await import('esbuild')) as unknown as Esbuild;
  } catch {
    // pnpm does not hoist it: fall back to the copy tsup brings.
    try {
      const tsup = require.resolve('tsup/package.json');
      return createRequire(tsup)('esbuild') as Esbuild;
    } catch (cause) {
      throw new Error('onnxkit pack needs esbuild to bundle the runtime: npm install --save-dev esbuild', { cause });
    }
  }
}

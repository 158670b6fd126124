import { readFile } from 'node:fs/promises';
import { entryFile, loadEsbuild, packageSources } from './locate.js';
import type { PackTarget } from './targets.js';

interface OnResolveArgs {
  path: string;
}
interface OnLoadArgs {
  path: string;
}
interface PluginBuild {
  onResolve(o: { filter: RegExp }, cb: (a: OnResolveArgs) => { path: string } | undefined): void;
  onLoad(o: { filter: RegExp }, cb: (a: OnLoadArgs) => Promise<{ contents: string; loader: string } | undefined>): void;
}

// onnxruntime-node requires its binding from `../bin/napi-v6/…` relative to its own dist folder; in
// the pack, the bundle sits at the top and the binding under `bin/`, so the path is rewritten to one
// computed from the bundle's location at run time (a non-literal require that esbuild leaves alone).
const BINDING = /require\(`\.\.\/bin\/napi-v6\/\$\{process\.platform\}\/\$\{process\.arch\}\/onnxruntime_binding\.node`\)/;
const NODE_BANNER = [
  "import { createRequire as __onnxkitCreateRequire } from 'node:module';",
  "import { fileURLToPath as __onnxkitFileURLToPath } from 'node:url';",
  'const require = __onnxkitCreateRequire(import.meta.url);',
  "const __onnxkitDir = __onnxkitFileURLToPath(new URL('.', import.meta.url));",
].join('\n');

/**
 * Bundles the onnxkit runtime for `target` into one minified ESM file: the entry, onnxkit's core and
 * the platform runtime, and ORT's JavaScript, written to `outFile`.
 */
export async function bundleRuntime(target: PackTarget, outFile: string): Promise<void> {
  const esbuild = await loadEsbuild();
  const sources = packageSources();
  const aliases: Record<string, string | undefined> = {
    '@onnxkit/core': sources.core,
    '@onnxkit/node/runtime': sources.nodeRuntime,
    // The WASM-only build of @onnxkit/web is a smaller bundle that never asks for WebGPU.
    '@onnxkit/web': target === 'browser-wasm' ? sources.webWasm : sources.web,
  };
  const plugin = {
    name: 'onnxkit-pack',
    setup(build: PluginBuild) {
      build.onResolve({ filter: /^@onnxkit\/(core|web|node\/runtime)$/ }, (args) => {
        const p = aliases[args.path];
        return p ? { path: p } : undefined;
      });
      build.onLoad({ filter: /onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!BINDING.test(text)) throw new Error(`onnxkit pack: onnxruntime-node's binding loader changed (${args.path}); cannot relocate the native binding`);
        const contents = text.replace(BINDING, "require(__onnxkitDir + 'bin/napi-v6/' + process.platform + '/' + process.arch + '/onnxruntime_binding.node')");
        return { contents, loader: 'js' };
      });
    },
  };
  const node = target === 'node';
  const result = await esbuild.build({
    entryPoints: [entryFile(node ? 'node-entry' : 'browser-entry')],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: node ? 'node' : 'browser',
    target: node ? 'node20' : 'es2022',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
    ...(node ? { banner: { js: NODE_BANNER } } : {}),
    define: node ? {} : { __ONNXKIT_PACK_DEVICE__: JSON.stringify(target === 'browser-wasm' ? 'wasm' : 'auto') },
    plugins: [plugin],
  });
  if (result.errors.length > 0) throw new Error(`onnxkit pack: bundling failed: ${JSON.stringify(result.errors[0])}`);
}

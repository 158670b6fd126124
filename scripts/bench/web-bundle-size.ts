// Bundle-size report of @onnxkit/web: bytes of the library itself (minified with esbuild) and of the
// onnxruntime-web files a page loads with it, for the WebGPU build (`@onnxkit/web`) and the WASM-only
// build (`@onnxkit/web/wasm`). Writes the "## Web bundle size" section of docs/BENCHMARKS.md.
// It bundles the BUILT packages (`pnpm build` first) as an app's bundler sees them in node_modules: the
// `dist/` files the tarballs ship, found through the packages' `exports` maps and `sideEffects` fields.
//
//   pnpm build && pnpm tsx scripts/bench/web-bundle-size.ts [--no-write] [--json FILE] [--brotli-quality 9]
//
// Sizes are deterministic (no repeats needed): raw bytes, gzip -9 and brotli of each file. Brotli's
// quality defaults to 9: quality 11 (what precompressed static files often use) is ~10% smaller on the
// .wasm files but takes minutes on them.
// Which ORT files a page loads is checked in Chromium by test/browser/web-library.browser.test.ts.
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { BENCHMARKS_DOC, writeBenchmarkSection } from './benchmarks-doc.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    'no-write': { type: 'boolean', default: false },
    json: { type: 'string' },
    'brotli-quality': { type: 'string', default: '9' },
  },
});
const brotliQuality = Number(values['brotli-quality']);
if (!Number.isInteger(brotliQuality) || brotliQuality < 0 || brotliQuality > 11) {
  throw new RangeError(`--brotli-quality must be an integer in 0..11, got ${values['brotli-quality']}`);
}

// The web package's entries as built; @onnxkit/core and the rest resolve from there, through
// packages/web/node_modules, exactly as from an app's node_modules.
const BUILT: Readonly<Record<string, string>> = {
  '@onnxkit/web': path.join(repoRoot, 'packages/web/dist/index.js'),
  '@onnxkit/web/wasm': path.join(repoRoot, 'packages/web/dist/wasm.js'),
};
for (const file of [...Object.values(BUILT), path.join(repoRoot, 'packages/core/dist/index.js')]) {
  if (!existsSync(file)) throw new Error(`${path.relative(repoRoot, file)} is missing: run 'pnpm build' first`);
}
/** What a `createSession`-only page may add on top of ORT's own wrapper (issue 13: 25 KB), gzip bytes. */
const MINIMAL_BUDGET_GZIP = 25_000;
const ortPackage = realpathSync(path.join(repoRoot, 'packages/web/node_modules/onnxruntime-web'));
const ortDist = path.join(ortPackage, 'dist');
const ortVersion = (JSON.parse(readFileSync(path.join(ortPackage, 'package.json'), 'utf8')) as { version: string }).version;

interface Size {
  raw: number;
  gzip: number;
  brotli: number;
}

function sizeOf(bytes: Uint8Array): Size {
  return {
    raw: bytes.byteLength,
    gzip: gzipSync(bytes, { level: 9 }).byteLength,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength } })
      .byteLength,
  };
}

/**
 * Minified ESM bundle of `code` (an app's entry) with the packages resolved to their built files, as a
 * bundler would ship them. onnxruntime-web stays external (it is counted with the ORT files); `core`
 * decides whether @onnxkit/core is bundled or external (to count the web layer alone).
 */
async function bundle(code: string, core: 'bundled' | 'external'): Promise<Size> {
  const result = await esbuild.build({
    stdin: { contents: code, resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    external: ['onnxruntime-web', 'onnxruntime-web/*', ...(core === 'external' ? ['@onnxkit/core'] : [])],
    plugins: [
      {
        name: 'onnxkit-built',
        setup(build) {
          build.onResolve({ filter: /^@onnxkit\/web(\/wasm)?$/ }, (args) => ({ path: BUILT[args.path] }));
        },
      },
    ],
  });
  return sizeOf(result.outputFiles[0].contents);
}

/** The ORT files a page fetches with each build (checked in Chromium by web-library.browser.test.ts). */
const ORT_FILES = {
  webgpu: ['ort.webgpu.bundle.min.mjs', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'],
  wasm: ['ort.wasm.bundle.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'],
} as const;

interface BuildReport {
  build: 'webgpu' | 'wasm';
  entry: string;
  full: Size;
  webLayer: Size;
  minimal: Size;
  ort: { file: string; size: Size }[];
  ortTotal: Size;
}

async function measure(build: 'webgpu' | 'wasm'): Promise<BuildReport> {
  const entry = build === 'webgpu' ? '@onnxkit/web' : '@onnxkit/web/wasm';
  const ort = ORT_FILES[build].map((file) => ({ file, size: sizeOf(readFileSync(path.join(ortDist, file))) }));
  const ortTotal = ort.reduce((t, f) => ({ raw: t.raw + f.size.raw, gzip: t.gzip + f.size.gzip, brotli: t.brotli + f.size.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  return {
    build,
    entry,
    // Everything the entry exports kept alive (what `import * as onnxkit` ships).
    full: await bundle(`export * from '${entry}';`, 'bundled'),
    // The browser layer alone: runtime, loaders, storage (core counted separately).
    webLayer: await bundle(`export * from '${entry}';`, 'external'),
    // A page that only runs a model: tree shaking drops training, conversion, etc.
    minimal: await bundle(`import { createSession } from '${entry}';\n(globalThis as any).run = createSession;`, 'bundled'),
    ort,
    ortTotal,
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
const human = (n: number) => (n >= 1024 * 1024 ? mb(n) : kb(n));
const row = (name: string, s: Size) => `| ${name} | ${human(s.raw)} | ${human(s.gzip)} | ${human(s.brotli)} |`;

function markdown(reports: BuildReport[]): string {
  const lines = [
    '## Web bundle size',
    '',
    'Command: `pnpm build && pnpm tsx scripts/bench/web-bundle-size.ts` (also run by `pnpm bench`). Sizes are exact byte counts',
    `(no repeats needed): raw, gzip -9 and brotli -q ${brotliQuality}. The onnxkit rows are esbuild bundles (minified ESM, browser,`,
    `es2022) of the built packages (\`dist/\`, what the tarballs ship, resolved through their \`exports\` and \`sideEffects\`), with`,
    'their npm dependencies (protobufjs, long, …) and without onnxruntime-web;',
    `the ORT rows are the files onnxruntime-web ${ortVersion} serves to the page, as`,
    'recorded in Chromium (cross-origin isolated page) by `test/browser/web-library.browser.test.ts`: the build\'s module, and the',
    '`.mjs`/`.wasm` pair it loads at run time.',
    `Measured with esbuild ${esbuild.version}, Node ${process.version}.`,
    '',
  ];
  for (const r of reports) {
    lines.push(
      `### ${r.build === 'webgpu' ? 'WebGPU build' : 'WASM-only build'}: \`import … from '${r.entry}'\``,
      '',
      `| what | raw | gzip | brotli q${brotliQuality} |`,
      '|---|---:|---:|---:|',
      row(`onnxkit, everything exported (\`export * from '${r.entry}'\`)`, r.full),
      row('onnxkit web layer alone (@onnxkit/core external)', r.webLayer),
      row('onnxkit, only `createSession` imported (tree-shaken)', r.minimal),
      ...r.ort.map((f) => row(`ORT \`${f.file}\``, f.size)),
      row('**ORT total**', r.ortTotal),
      row('**page total (onnxkit everything + ORT)**', {
        raw: r.full.raw + r.ortTotal.raw,
        gzip: r.full.gzip + r.ortTotal.gzip,
        brotli: r.full.brotli + r.ortTotal.brotli,
      }),
      '',
    );
  }
  const [gpu, wasm] = reports;
  for (const r of reports) {
    const verdict = r.minimal.gzip <= MINIMAL_BUDGET_GZIP ? 'within' : 'over';
    lines.push(
      `A \`createSession\`-only page on \`${r.entry}\` adds ${r.minimal.gzip} bytes (${kb(r.minimal.gzip)}) gzip of onnxkit on top of ORT's own wrapper ` +
        `(${r.minimal.raw} raw, ${r.minimal.brotli} brotli): ${verdict} the ${MINIMAL_BUDGET_GZIP}-byte budget.`,
    );
  }
  lines.push('');
  lines.push(
    `The WASM-only build saves ${mb(gpu.ortTotal.raw - wasm.ortTotal.raw)} raw / ${mb(gpu.ortTotal.brotli - wasm.ortTotal.brotli)} brotli of ORT files;`,
    'the WebAssembly binary dominates either way, and browsers cache it across pages.',
    '',
  );
  return lines.join('\n');
}


const reports = [await measure('webgpu'), await measure('wasm')];
const section = markdown(reports);
console.log(section);
if (values.json) writeFileSync(values.json, JSON.stringify(reports, null, 2));
if (!values['no-write']) {
  const file = BENCHMARKS_DOC;
  writeBenchmarkSection('## Web bundle size', section, file);
  console.log(`wrote the "## Web bundle size" section of ${path.relative(repoRoot, file)}`);
}

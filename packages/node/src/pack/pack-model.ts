import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PREPROCESSING_KEY } from '@onnxkit/core';
import { openModelFile } from '../io/model-file.js';
import { bundleRuntime } from './bundle.js';
import { ortNodeBinaryDir, ortWebDist } from './locate.js';
import { isPackTarget, PACK_TARGETS, type PackTarget } from './targets.js';
import { indexHtml, readme } from './templates.js';

/** Options of {@link packModel}. */
export interface PackOptions {
  target: PackTarget;
  /** The folder to write (created; files of the same names are replaced). */
  out: string;
}

/** One file of a pack. */
export interface PackedFile {
  /** Path inside the pack folder, with `/`. */
  file: string;
  bytes: number;
}

/** What {@link packModel} wrote. */
export interface PackReport {
  target: PackTarget;
  model: string;
  /** The pack folder (absolute). */
  out: string;
  files: PackedFile[];
  totalBytes: number;
  /** Things the user should know (e.g. a model without a preprocessing spec). */
  notes: string[];
}

/** ORT provider libraries the CPU pack does not need (CUDA, TensorRT). */
const PROVIDER_LIB = /providers_(cuda|tensorrt|shared)/;

const WEB_FILES: Record<Exclude<PackTarget, 'node'>, string[]> = {
  'browser-wasm': ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'],
  'browser-webgpu': ['ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.asyncify.mjs'],
};

/**
 * Writes a self-contained folder that classifies with `model` on `target`, with no install step:
 * `onnxkit.mjs` (the onnxkit runtime and ORT's JavaScript in one ESM file), `model.onnx`, ORT's native
 * (Node) or WebAssembly (browser) files, a README, `pack.json` and, for browsers, a demo `index.html`.
 * Throws a RangeError for an unknown target.
 */
export async function packModel(model: string, options: PackOptions): Promise<PackReport> {
  if (!isPackTarget(options.target)) {
    throw new RangeError(`pack: target must be one of ${Object.keys(PACK_TARGETS).join(', ')}, got '${String(options.target)}'`);
  }
  const { target } = options;
  const file = await openModelFile(model);
  const out = path.resolve(options.out);
  const existing = await stat(out).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new Error(`pack: '${options.out}' exists and is not a folder`);
  await mkdir(out, { recursive: true });

  const notes: string[] = [];
  if (!file.model.metadata[PREPROCESSING_KEY]) {
    notes.push(`the model has no '${PREPROCESSING_KEY}' metadata: classify raw tensors, or set a spec with setPreprocessingSpec before packing`);
  }
  await writeFile(path.join(out, 'model.onnx'), file.bytes);
  await bundleRuntime(target, path.join(out, 'onnxkit.mjs'));
  const written = ['onnxkit.mjs', 'model.onnx'];
  if (target === 'node') {
    const dir = ortNodeBinaryDir();
    const rel = path.posix.join('bin', 'napi-v6', process.platform, process.arch);
    await mkdir(path.join(out, rel), { recursive: true });
    for (const name of await readdir(dir)) {
      if (PROVIDER_LIB.test(name)) continue;
      await copyFile(path.join(dir, name), path.join(out, rel, name));
      written.push(`${rel}/${name}`);
    }
    notes.push(`native files for ${process.platform}/${process.arch} only: pack on the platform the folder runs on`);
  } else {
    const dist = ortWebDist();
    for (const name of WEB_FILES[target]) {
      await copyFile(path.join(dist, name), path.join(out, name));
      written.push(name);
    }
    await writeFile(path.join(out, 'index.html'), indexHtml(target));
    written.push('index.html');
  }
  const files: PackedFile[] = [];
  for (const f of written) files.push({ file: f, bytes: (await stat(path.join(out, f))).size });
  // README and manifest count too: they are part of what ships.
  const base = files.reduce((s, f) => s + f.bytes, 0);
  const readmeText = readme(target, path.basename(model), files, base);
  await writeFile(path.join(out, 'README.md'), readmeText);
  files.push({ file: 'README.md', bytes: Buffer.byteLength(readmeText) });
  const manifest = { target, model: path.basename(model), createdBy: 'onnxkit pack', files: [...files] };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  await writeFile(path.join(out, 'pack.json'), manifestText);
  files.push({ file: 'pack.json', bytes: Buffer.byteLength(manifestText) });
  return { target, model, out, files, totalBytes: files.reduce((s, f) => s + f.bytes, 0), notes };
}

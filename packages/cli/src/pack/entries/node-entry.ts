/**
 * The onnxkit runtime a `onnxkit pack --target node` folder ships, bundled into one ESM file with
 * onnxruntime-node's JavaScript (its native binding and library sit next to it under `bin/`).
 *
 *   node onnxkit.mjs digit.png [more.png …] [--top 3] [--json]
 *   import { loadClassifier } from './onnxkit.mjs'; const clf = await loadClassifier();
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Classifier, registerImageDecoder, registerRuntime, type ClassifierOptions } from '@onnxkit/core';
import { nodeRuntime } from '@onnxkit/node/runtime';
import { pngDecoder } from './png-decoder.js';

registerRuntime(nodeRuntime);
registerImageDecoder(pngDecoder);

export { Classifier, createSession, decodeModel, preprocessImages } from '@onnxkit/core';
export { decodePng } from './png-decoder.js';

/** The packed model, next to this file. */
export const MODEL_PATH = fileURLToPath(new URL('./model.onnx', import.meta.url));

/** Loads the packed model as a classifier on ORT CPU (labels and preprocessing from its metadata). */
export function loadClassifier(options: ClassifierOptions = {}): Promise<Classifier> {
  return Classifier.load(MODEL_PATH, { device: 'cpu', ...options });
}

async function main(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const t = args.indexOf('--top');
  const topK = t >= 0 ? Number(args[t + 1]) : 1;
  const files = args.filter((a, i) => !a.startsWith('--') && (t < 0 || i !== t + 1));
  if (files.length === 0 || !(topK >= 1)) {
    process.stderr.write('usage: node onnxkit.mjs <image.png> [more.png …] [--top k] [--json]\n');
    return 2;
  }
  const clf = await loadClassifier();
  try {
    const results = await clf.classify(files, { topK });
    if (json) process.stdout.write(`${JSON.stringify(results.map((r) => (r.ok ? { source: r.source, label: r.label, probability: r.probability, top: r.top } : { source: r.source, error: r.error.message })), null, 2)}\n`);
    for (const r of json ? [] : results) {
      process.stdout.write(r.ok ? `${r.source}: ${r.top.map((p) => `${p.label} (${(p.probability * 100).toFixed(1)}%)`).join(', ')}\n` : `${r.source}: error: ${r.error.message}\n`);
    }
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await clf.dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}

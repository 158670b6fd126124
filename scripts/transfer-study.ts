// Transfer learning from a pretrained backbone, measured (docs/FINETUNING.md, "A pretrained backbone"):
// nsfwjs 4.4.0's Keras MobileNetV2 (ImageNet-initialised, trained on its own 5 classes; converted by
// onnxkit's converter) with a new 10-way head, on Fashion-MNIST (Debian dataset-fashion-mnist) resized
// to 224×224 RGB, 10 and 100 training examples per class, three ways, with one of two new heads
// (--head): `last` replaces the model's last dense layer (replaceHead, what `finetune --new-head` does:
// its two other dense layers, trained on nsfwjs's classes, stay), `pooled` puts one dense layer on the
// backbone's 1,280 pooled features (headOnFeatures, `finetune --new-head 10 --head-input <value>`):
//   head-only  — the backbone is frozen: it runs once per image (embeddings cached in memory and on
//                disk, keyed by the backbone's and the image's SHA-256), then only the head trains;
//   full       — every parameter trains (BatchNormalization frozen, the default), few epochs;
//   scratch    — the seed CNN (buildSeedCnn) from random weights on the native 28×28 gray images.
// Test accuracy on 1,000 Fashion-MNIST test images (100 per class), never trained on.
//
//   nice -n 19 pnpm tsx scripts/transfer-study.ts      (about 15 CPU-minutes)
//   options: --test-per-class N (default 100) --full-epochs "4,1" (full fine-tuning epochs of the 10- and 100-per-class tiers)
//            --tiers "10,100" (examples per class; below 100 the 10-tier recipe) --head last|pooled
//            --out DIR (default docs/finetuning) --cache DIR (default: a fresh temporary folder)
//
// Writes DIR/transfer-results.<head>.json and prints the tables docs/FINETUNING.md shows.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildSeedCnn,
  convertKeras,
  DiskEmbeddingStore,
  embedDataset,
  evaluateDataset,
  fit,
  generateArtifacts,
  getPreprocessingSpec,
  headOnFeatures,
  preprocessInto,
  Random,
  replaceHead,
  splitAtHead,
  takePerClass,
  Trainer,
  type ImageDataset,
  type Model,
  type ScheduleSpec,
} from '@onnxkit/node';
import { loadIdxFolder } from '../packages/node/src/data/idx-folder.js';
import { loadNsfwjsModel, NSFWJS_LAYERS_DIR } from '../packages/testkit/src/nsfwjs-model.js';
import { loadAverage, machineInfo } from './bench/measure.js';

const { values } = parseArgs({
  options: {
    'test-per-class': { type: 'string', default: '100' },
    'full-epochs': { type: 'string', default: '4,1' },
    tiers: { type: 'string', default: '10,100' },
    head: { type: 'string', default: 'last' },
    out: { type: 'string', default: 'docs/finetuning' },
    cache: { type: 'string' },
  },
});
if (values.head !== 'last' && values.head !== 'pooled') throw new RangeError(`--head must be last or pooled, got ${values.head}`);
const FASHION = '/usr/share/datasets/fashion-mnist';
const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const [fullEpochs10, fullEpochs100] = values['full-epochs'].split(',').map(Number);
/** Tiers: examples per class; epochs and batch of the head and scratch runs (as the notMNIST study) and of full fine-tuning. */
const TIERS = values.tiers.split(',').map(Number).map((perClass) =>
  perClass >= 100
    ? { perClass, epochs: 15, batchSize: 32, fullEpochs: fullEpochs100, fullBatch: 32 }
    : { perClass, epochs: 30, batchSize: 10, fullEpochs: fullEpochs10, fullBatch: 10 },
);
/** Peak learning rates (cosine schedule, linear warm-up); common practice, not tuned on the test set. */
const RATE = { 'head-only': 1e-2, full: 2e-4, scratch: 2e-3 } as const;
type Method = keyof typeof RATE;

const seconds = (since: number) => (performance.now() - since) / 1000;
/** Cosine decay to 1/50 of the peak after a linear warm-up over a tenth of the run (at most 50 steps). */
const schedule = (method: Method, totalSteps: number): ScheduleSpec => ({
  kind: 'cosine',
  learningRate: RATE[method],
  warmupSteps: Math.min(50, Math.max(1, Math.round(totalSteps / 10))),
  minLearningRate: RATE[method] / 50,
});

/** 28×28 gray images as the backbone's spec prepares them (stretched to 224×224, gray copied to RGB, NCHW). */
function resized(data: ImageDataset, backbone: Model): ImageDataset {
  const spec = { ...getPreprocessingSpec(backbone)!, layout: 'NCHW' as const };
  const size = spec.channels * spec.height * spec.width;
  const images = new Float32Array(data.count * size);
  for (let i = 0; i < data.count; i++) {
    const gray = Uint8ClampedArray.from(data.images.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255));
    preprocessInto({ data: gray, width: 28, height: 28, channels: 1 }, spec, images, i * size, `example ${i}`);
  }
  return { ...data, images, shape: [spec.channels, spec.height, spec.width] };
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const studyStarted = performance.now();
  const { modelJson, shards } = loadNsfwjsModel(NSFWJS_LAYERS_DIR);
  const converted = (await convertKeras({ model: modelJson, readFile: (p) => shards.get(p)!, fileName: 'mobilenet_v2/model.json' })).model;
  const trainPool = loadIdxFolder(FASHION, 'train', CLASSES);
  const test28 = takePerClass(loadIdxFolder(FASHION, 'test', CLASSES), Number(values['test-per-class']), new Random(7));
  const test224 = resized(test28, converted);
  console.log(`Fashion-MNIST: ${trainPool.count} training images to draw from, ${test28.count} test images; backbone: nsfwjs MobileNetV2 (${converted.graph.nodes.length} nodes)`);
  const cacheDir = values.cache ?? mkdtempSync(path.join(tmpdir(), 'onnxkit-transfer-'));
  const rows: Record<string, unknown>[] = [];

  for (const tier of TIERS) {
    const seed = 100 * tier.perClass;
    const train28 = takePerClass(trainPool, tier.perClass, new Random(seed));
    const train224 = resized(train28, converted);
    // The pooled features: what the first dense layer of the classifier reads.
    const pooled = converted.graph.nodes.find((n) => n.opType === 'Gemm')!.inputs[0];
    const { model, parameters } =
      values.head === 'pooled'
        ? headOnFeatures(converted, { features: pooled, classes: 10, seed, labels: CLASSES })
        : replaceHead(converted, { classes: 10, seed, labels: CLASSES });

    // Head-only: the backbone once per image (cold cache), once more from the disk cache (a new store: nothing in memory).
    const split = splitAtHead(model);
    const cold = await embedDataset(split.backbone, train224, { store: new DiskEmbeddingStore(cacheDir), device: 'cpu' });
    const warm = await embedDataset(split.backbone, train224, { store: new DiskEmbeddingStore(cacheDir), device: 'cpu' });
    const testFeatures = await embedDataset(split.backbone, test224, { store: new DiskEmbeddingStore(cacheDir), device: 'cpu' });
    const head = await Trainer.create(generateArtifacts(split.head, { optimizer: 'adamw', weightDecay: 1e-4 }), { device: 'cpu' });
    let started = performance.now();
    await fit(head, cold.dataset, { epochs: tier.epochs, batchSize: tier.batchSize, seed, learningRate: schedule('head-only', tier.epochs * Math.ceil(train28.count / tier.batchSize)) });
    const headSeconds = seconds(started);
    const headAccuracy = (await evaluateDataset(head, testFeatures.dataset)).accuracy;
    await head.release();
    rows.push({
      method: 'head-only', perClass: tier.perClass, epochs: tier.epochs, batchSize: tier.batchSize, trainable: parameters,
      embedColdSeconds: cold.seconds, embedWarmSeconds: warm.seconds, computedCold: cold.embeddings.computed, computedWarm: warm.embeddings.computed,
      features: cold.embeddings.dims, trainSeconds: headSeconds, totalSeconds: cold.seconds + headSeconds, testAccuracy: headAccuracy,
    });
    console.log(`${tier.perClass}/class head-only: embed ${cold.seconds.toFixed(1)} s cold (${cold.embeddings.computed} run), ${warm.seconds.toFixed(1)} s from disk; head ${headSeconds.toFixed(1)} s; test ${(headAccuracy * 100).toFixed(1)}%`);

    // Full fine-tuning: every parameter, the whole graph every step.
    const full = await Trainer.create(generateArtifacts(model, { optimizer: 'adamw', weightDecay: 1e-4 }), { device: 'cpu' });
    started = performance.now();
    const fitted = await fit(full, train224, { epochs: tier.fullEpochs, batchSize: tier.fullBatch, seed, learningRate: schedule('full', tier.fullEpochs * Math.ceil(train28.count / tier.fullBatch)) });
    const fullSeconds = seconds(started);
    const fullAccuracy = (await evaluateDataset(full, test224, 32)).accuracy;
    rows.push({ method: 'full', perClass: tier.perClass, epochs: tier.fullEpochs, batchSize: tier.fullBatch, steps: full.step, trainSeconds: fullSeconds, epochSeconds: fitted.history.map((e) => e.seconds), testAccuracy: fullAccuracy });
    console.log(`${tier.perClass}/class full: ${tier.fullEpochs} epochs, ${full.step} steps, ${fullSeconds.toFixed(1)} s; test ${(fullAccuracy * 100).toFixed(1)}%`);
    await full.release();

    // From scratch: the seed CNN on the native images.
    const scratch = await Trainer.create(generateArtifacts(buildSeedCnn({ seed }), { optimizer: 'adamw', weightDecay: 1e-4 }), { device: 'cpu' });
    started = performance.now();
    await fit(scratch, train28, { epochs: tier.epochs, batchSize: tier.batchSize, seed, learningRate: schedule('scratch', tier.epochs * Math.ceil(train28.count / tier.batchSize)) });
    const scratchSeconds = seconds(started);
    const scratchAccuracy = (await evaluateDataset(scratch, test28)).accuracy;
    rows.push({ method: 'scratch', perClass: tier.perClass, epochs: tier.epochs, batchSize: tier.batchSize, steps: scratch.step, trainSeconds: scratchSeconds, testAccuracy: scratchAccuracy });
    console.log(`${tier.perClass}/class scratch: ${scratchSeconds.toFixed(1)} s; test ${(scratchAccuracy * 100).toFixed(1)}%`);
    await scratch.release();
  }
  if (!values.cache) rmSync(cacheDir, { recursive: true, force: true });
  const result = { head: values.head, rows, test: test28.count, machine: { ...machineInfo(), loadBefore, loadAfter: loadAverage() }, studySeconds: seconds(studyStarted) };
  mkdirSync(values.out, { recursive: true });
  writeFileSync(path.join(values.out, `transfer-results.${values.head}.json`), `${JSON.stringify(result, null, 1)}\n`);
  printTables(result);
}

function printTables(result: { rows: Record<string, unknown>[]; machine: { loadBefore: number[]; loadAfter: number[] }; studySeconds: number }): void {
  const row = (m: Method, perClass: number) => result.rows.find((r) => r.method === m && r.perClass === perClass) as Record<string, number>;
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const s = (v: number) => `${v.toFixed(1)} s`;
  console.log('\n| examples per class | head-only, cached backbone | full fine-tuning | seed CNN from scratch |\n|---|---|---|---|');
  for (const t of TIERS) console.log(`| ${t.perClass} | ${pct(row('head-only', t.perClass).testAccuracy)} | ${pct(row('full', t.perClass).testAccuracy)} | ${pct(row('scratch', t.perClass).testAccuracy)} |`);
  console.log('\n| examples per class | head-only: backbone once (cold) / from disk / head training | full: epochs × batch, time | scratch: epochs × batch, time |\n|---|---|---|---|');
  for (const t of TIERS) {
    const h = row('head-only', t.perClass);
    const f = row('full', t.perClass);
    const c = row('scratch', t.perClass);
    console.log(`| ${t.perClass} | ${s(h.embedColdSeconds)} / ${s(h.embedWarmSeconds)} / ${s(h.trainSeconds)} (${t.epochs} × ${t.batchSize}) | ${f.epochs} × ${f.batchSize}, ${s(f.trainSeconds)} | ${c.epochs} × ${c.batchSize}, ${s(c.trainSeconds)} |`);
  }
  console.log(`\nload average before ${result.machine.loadBefore.join(' / ')}, after ${result.machine.loadAfter.join(' / ')}; study ${result.studySeconds.toFixed(0)} s`);
}

await main();

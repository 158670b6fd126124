// `onnxkit federated coordinator` and two `onnxkit federated client` processes on a real redis-server:
// two rounds over non-IID shards (client a holds digits 0–4, b holds 5–9), the final model written and
// scoring what the coordinator reported, and the usage errors of both subcommands.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, decodeRoundFile, selectExamples, type ImageDataset } from '@onnxkit/node';
import { startRedis, type TestRedis } from '../../../testkit/src/redis-server.js';
import { cli, expectOneLineError, spawnCli } from '../cli/harness.js';
import { someDigits, writeIdxFolder } from '../cli/training-data.js';

let dir: string;
let redis: TestRedis;
let validation: ImageDataset;
const shardDirs: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-federated-cli-'));
  redis = await startRedis(dir);
  const digits = someDigits(40, 5);
  // Each digit's rank within its class: the first 25 of a class go to a client, the other 15 to validation.
  const seen = new Array<number>(10).fill(0);
  const rank = Array.from(digits.labels, (l) => seen[l]++);
  const all = [...digits.labels.keys()];
  for (const low of [true, false]) {
    const mine = all.filter((i) => rank[i] < 25 && digits.labels[i] < 5 === low);
    shardDirs.push(await writeIdxFolder(path.join(dir, `client-${shardDirs.length}`), selectExamples(digits, mine)));
  }
  validation = selectExamples(digits, all.filter((i) => rank[i] >= 25));
  await writeIdxFolder(path.join(dir, 'validation'), validation, 'test');
}, 60_000);
afterAll(async () => {
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Accuracy of an ONNX classifier file on the validation digits. */
async function accuracyOf(file: string): Promise<number> {
  const session = await createSession(file, { device: 'cpu' });
  try {
    const out = await session.run({ input: { data: validation.images, dims: [validation.count, 1, 28, 28] } });
    const logits = (await out[session.outputs[0].name].getData()) as Float32Array;
    let right = 0;
    for (let i = 0; i < validation.count; i++) {
      const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === validation.labels[i]) right++;
    }
    return right / validation.count;
  } finally {
    await session.release();
  }
}

describe('onnxkit federated', () => {
  it('runs two rounds of a coordinator and two client processes, and writes the averaged model', async () => {
    const common = ['--arch', 'seed-cnn', '--queue', redis.url, '--name', 'cli-test', '--device', 'cpu'];
    const out = path.join(dir, 'global.onnx');
    const coordinator = spawnCli([
      'federated', 'coordinator', ...common, '--rounds', '2', '--clients', '2',
      '--validation-data', path.join(dir, 'validation'), '-o', out, '--json',
    ]);
    const clients = shardDirs.map((data, k) =>
      spawnCli(['federated', 'client', ...common, '--client', `c${k}`, '--data', data, '--epochs', '2', '--batch-size', '10', '--lr', '0.05']),
    );
    const [c, ...members] = await Promise.all([coordinator, ...clients]);
    expect(c.code, c.stderr).toBe(0);
    for (const m of members) {
      expect(m.code, m.stderr).toBe(0);
      expect(m.stderr).toMatch(/round 1, loss [\d.]+/);
      expect(m.stderr).toMatch(/done after round 2/);
    }
    const report = JSON.parse(c.stdout) as { out: string; checkpoint: string; rounds: { round: number; clients: string[]; examples: number; validationAccuracy: number }[] };
    expect(report.rounds.map((r) => r.round)).toEqual([1, 2]);
    for (const r of report.rounds) {
      expect(r.clients).toEqual(['c0', 'c1']);
      expect(r.examples).toBe(250);
    }
    // The written model is round 2's global model: it scores what the coordinator measured after round 2,
    // and an untrained seed CNN would be near 10%.
    const last = report.rounds[1].validationAccuracy;
    expect(Math.abs((await accuracyOf(out)) - last)).toBeLessThanOrEqual(1 / validation.count + 1e-9);
    expect(last).toBeGreaterThan(0.3);
    expect(last).toBeGreaterThan(report.rounds[0].validationAccuracy);
    const roundFile = decodeRoundFile(new Uint8Array(await readFile(report.checkpoint)), report.checkpoint);
    expect(roundFile.round).toBe(2);
  }, 240_000);

  it('refuses bad flags with one line naming them', async () => {
    const base = ['--arch', 'seed-cnn', '--queue', redis.url];
    expect(expectOneLineError(await cli(['federated', 'coordinator', ...base, '--rounds', '1', '--clients', '2', '--min-clients', '3']))).toMatch(/--min-clients 3: must be at most --clients 2/);
    expect(expectOneLineError(await cli(['federated', 'coordinator', ...base, '--rounds', '0', '--clients', '2']))).toMatch(/--rounds '0'/);
    expect(expectOneLineError(await cli(['federated', 'client', ...base, '--client', 'no spaces!', '--data', shardDirs[0]]))).toMatch(/no spaces!/);
    expect(expectOneLineError(await cli(['federated', 'client', 'model.onnx', ...base, '--client', 'c', '--data', shardDirs[0]]))).toMatch(/either a model file or --arch/);
  }, 60_000);
});

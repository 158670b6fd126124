// The queue end to end on a real redis-server: `onnxkit worker` processes and `onnxkit classify --queue`,
// a worker killed with SIGKILL in the middle of a job, Redis killed and restarted mid-run, and job file
// names that try to leave the worker's folder.
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDigitPhotos, type DigitPhoto } from '../../../testkit/src/digit-photos.js';
import { classifyFiles } from '../../src/cli/commands/classify.js';
import { cli, repoRoot } from '../cli/harness.js';
import { startRedis, type TestRedis } from '../../../testkit/src/redis-server.js';
import { startWorker, type WorkerProcess } from './queue-processes.js';

const model = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');
let dir: string;
let photosDir: string;
let photos: DigitPhoto[];
let redis: TestRedis;
const workers: WorkerProcess[] = [];
/** The probability of the best class per file name, from classifying in this process without a queue. */
const local = new Map<string, number>();

interface Line {
  file: string;
  ok: boolean;
  label?: string;
  probability?: number;
  code?: string;
  error?: string;
}

const readLines = async (file: string): Promise<Line[]> =>
  (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

/** Every photo exactly once, each the same result as the local run. */
function expectExactlyOnce(lines: Line[]): void {
  expect(lines.length).toBe(photos.length);
  expect(new Set(lines.map((l) => l.file)).size).toBe(photos.length);
  for (const l of lines) {
    expect(l.ok).toBe(true);
    expect(l.probability).toBeCloseTo(local.get(l.file)!, 6);
  }
  const right = photos.filter((p) => lines.find((l) => l.file === path.basename(p.file))?.label === String(p.label)).length;
  expect(right).toBeGreaterThanOrEqual(photos.length - 2);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-queue-'));
  photosDir = path.join(dir, 'photos');
  photos = await writeDigitPhotos(photosDir, 48);
  const report = await classifyFiles(model, [photosDir], { device: 'cpu' });
  for (const r of report.results) if (r.ok) local.set(path.basename(r.file), r.probability);
  await mkdir(path.join(dir, 'redis'));
  redis = await startRedis(path.join(dir, 'redis'));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('onnxkit classify --queue with onnxkit worker', () => {
  it('redoes the job of a worker killed with SIGKILL mid-job: every input gets exactly one result', async () => {
    const a = await startWorker(redis.url, photosDir, ['--lock-ms', '1500']);
    workers.push(a);
    const out = path.join(dir, 'killed.jsonl');
    const run = cli(['classify', model, photosDir, '--queue', redis.url, '--job-size', '12', '-o', out]);
    const [, job] = await a.waitFor(/job (\S+) started/);
    await a.kill('SIGKILL');
    const b = await startWorker(redis.url, photosDir, ['--lock-ms', '1500']);
    workers.push(b);
    const r = await run;
    expect(r.stderr).toMatch(/48 classified, 0 failed/);
    expect(r.code).toBe(0);
    expectExactlyOnce(await readLines(out));
    // The job the killed worker held was taken over and finished by the other one.
    expect(a.log()).not.toContain(`job ${job} done`);
    expect(b.log()).toContain(`job ${job} started`);
    expect(b.log()).toContain(`job ${job} done`);
  });

  it('finishes a run when Redis is killed and restarted in the middle of it', async () => {
    const b = workers[1];
    const list = path.join(dir, 'list.txt');
    await writeFile(list, photos.map((p) => path.basename(p.file)).join('\n'));
    const out = path.join(dir, 'restarted.jsonl');
    const before = b.log().length;
    const run = cli(['classify', model, list, '--queue', redis.url, '--job-size', '8', '-o', out]);
    await b.waitFor(new RegExp(`[^]{${before}}[^]*job \\S+ done`));
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.start();
    const r = await run;
    expect(r.code).toBe(0);
    expectExactlyOnce(await readLines(out));
  });

  it('refuses job file names that leave the worker root (.., absolute, symlink out) with a result each', async () => {
    await writeFile(path.join(dir, 'secret.png'), 'outside the root');
    await symlink(path.join(dir, 'secret.png'), path.join(photosDir, 'link.png'));
    const list = path.join(dir, 'hostile.txt');
    const good = path.basename(photos[0].file);
    await writeFile(list, ['../secret.png', path.join(dir, 'secret.png'), 'link.png', 'sub/../../secret.png', good].join('\n'));
    const out = path.join(dir, 'hostile.jsonl');
    const r = await cli(['classify', model, list, '--queue', redis.url, '-o', out]);
    expect(r.code).toBe(1);
    const lines = await readLines(out);
    expect(lines.map((l) => l.file)).toEqual(['../secret.png', path.join(dir, 'secret.png'), 'link.png', 'sub/../../secret.png', good]);
    for (const l of lines.slice(0, 4)) {
      expect(l.ok).toBe(false);
      expect(l.code).toBe('unreadable');
      expect(l.error).toMatch(/outside|absolute/);
    }
    expect(lines[4].ok).toBe(true);
    expect(lines[4].probability).toBeCloseTo(local.get(good)!, 6);
  });

  it('names the flag for a URL that is not redis:', async () => {
    const r = await cli(['classify', model, photosDir, '--queue', 'http://127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--queue http:\/\/127\.0\.0\.1:1: expected a redis:\/\/ or rediss:\/\/ URL/);
  });
});

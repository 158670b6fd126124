import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileAccessError } from '@onnxkit/node';
import { runCoordinator } from '@onnxkit/node/queue';
import { mkfifo, rejection, within } from '../hostile/special-files.js';

// The coordinator reads its checkpoint before it connects to Redis: a hostile file there must fail
// fast with a clear error (no server is needed to see it).
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-coordinator-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const start = (checkpoint: string) =>
  runCoordinator({ url: 'redis://127.0.0.1:1', name: 'hostile', checkpoint, initial: new Float32Array(4), rounds: 1, clients: 1 });

describe('coordinator checkpoint from a stranger', () => {
  it('refuses a FIFO without blocking, and a device file', async () => {
    const fifo = path.join(dir, 'round.fifo');
    mkfifo(fifo);
    for (const file of [fifo, '/dev/zero']) {
      const e = await within(rejection(start(file)));
      expect(e).toBeInstanceOf(FileAccessError);
      expect(e.code).toBe('not-a-file');
      expect(e.message).toContain(file);
    }
  });

  it('refuses a truncated round file, naming it', async () => {
    const file = path.join(dir, 'truncated.round');
    await writeFile(file, 'ONNXKIT');
    const e = await within(rejection(start(file)));
    expect(e.message).toContain(file);
  });
});

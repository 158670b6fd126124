import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvertError } from '@onnxkit/core';
import { convertModelFile } from '../../src/cli/commands/convert.js';
import { FileAccessError } from '@onnxkit/node';
import { cli, expectOneLineError, fixtures } from '../cli/harness.js';
import { mkfifo, rejection } from '../../../node/test/hostile/special-files.js';

const tfjsDir = path.join(fixtures, 'tfjs/tensorspace/docs/keras/convertedModel');
const SHARD = 'group1-shard1of1';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-convert-shards-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A TF.js model folder whose shard is replaced by `make(shardPath)`. */
async function modelWithShard(name: string, make: (shard: string) => Promise<void> | void): Promise<string> {
  const folder = path.join(dir, name);
  await mkdir(folder);
  await copyFile(path.join(tfjsDir, 'model.json'), path.join(folder, 'model.json'));
  await make(path.join(folder, SHARD));
  return path.join(folder, 'model.json');
}

function accessCause(err: Error): FileAccessError {
  expect(err).toBeInstanceOf(ConvertError);
  expect(err.cause).toBeInstanceOf(FileAccessError);
  return err.cause as FileAccessError;
}

describe('convert: hostile TF.js weight shards (finding 1)', () => {
  it('refuses a shard symlinked out of the model folder (to /etc/passwd) instead of converting its bytes', async () => {
    const model = await modelWithShard('passwd', (shard) => symlink('/etc/passwd', shard));
    const err = await rejection(convertModelFile(model));
    expect(accessCause(err).code).toBe('outside-folder');
    expect(err.message).toMatch(/weight shard 'group1-shard1of1' could not be read .*leads outside its folder/);
    const r = await cli(['convert', model, '-o', path.join(dir, 'passwd.onnx')]);
    expect(expectOneLineError(r)).toMatch(/leads outside its folder/);
  });

  it('refuses a shard linked to /dev/zero, and a shard that is a FIFO, without reading either', async () => {
    const model = await modelWithShard('zero', (shard) => symlink('/dev/zero', shard));
    expect(accessCause(await rejection(convertModelFile(model))).code).toBe('outside-folder');
    // A FIFO inside the folder passes the folder check; its file type is checked after opening, without blocking.
    const fifoModel = await modelWithShard('fifo', (shard) => mkfifo(shard));
    const fifo = accessCause(await rejection(convertModelFile(fifoModel)));
    expect(fifo.code).toBe('not-a-file');
    expect(fifo.message).toMatch(/a FIFO \(named pipe\), not a regular file/);
  });

  it('still converts the same model when the shard is a real file, or a link that stays inside the folder', async () => {
    const model = await modelWithShard('inside', async (shard) => {
      await copyFile(path.join(tfjsDir, SHARD), `${shard}.real`);
      await symlink(`${shard}.real`, shard);
    });
    const converted = await convertModelFile(model);
    expect(converted.format).toBe('tfjs-layers');
    expect(converted.bytes.byteLength).toBeGreaterThan(170_000);
  });

  it('refuses a model path or --weights that is a FIFO or a device, promptly', async () => {
    const fifo = path.join(dir, 'model-fifo.json');
    mkfifo(fifo);
    expect((await rejection(convertModelFile(fifo))).code).toBe('not-a-file');
    expect((await rejection(convertModelFile('/dev/zero'))).code).toBe('not-a-file');
    const r = await cli(['convert', path.join(tfjsDir, 'model.json'), '--weights', '/dev/zero', '-o', path.join(dir, 'w.onnx')]);
    expect(expectOneLineError(r)).toMatch(/weights file '\/dev\/zero': it is a character device/);
  });
});

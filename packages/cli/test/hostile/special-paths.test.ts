import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, encodeModel, GraphBuilder, loadMnistDigits, ModelFormatError, type RawImage } from '@onnxkit/node';
import type { ClassifyReport } from '../../src/cli/commands/classify.js';
import { encodeImage, openModelFile } from '@onnxkit/node';
import { cli, expectOneLineError, repoRoot } from '../cli/harness.js';
import { mkfifo, rejection, within } from '../../../node/test/hostile/special-files.js';

const mnistCnn = path.join(repoRoot, 'models/onnx/mnist-cnn.onnx');
let dir: string;
let batch: string;
const DIGITS = 20;

function digit(images: Float32Array, k: number): RawImage {
  return { width: 28, height: 28, channels: 1, data: Uint8Array.from(images.subarray(k * 784, (k + 1) * 784), (v) => Math.round(v * 255)) };
}

/** Y = X + W with W [2] in the external file `location`. */
function externalModel(location: string): Uint8Array {
  const b = new GraphBuilder({ opset: 17 });
  b.input('X', 'float32', [2]);
  b.initializer('W', 'float32', [2], new Float32Array(2));
  b.op('Add', ['X', 'W'], {}, { output: 'Y' });
  b.output('Y', 'float32', [2]);
  const model = b.build();
  Object.assign(model.graph.initializers[0], { data: new Float32Array(0), external: { location, offset: 0, length: 8 } });
  return encodeModel(model);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-special-'));
  batch = path.join(dir, 'batch');
  await mkdir(batch);
  const digits = loadMnistDigits();
  for (let k = 0; k < DIGITS; k++) await writeFile(path.join(batch, `d${String(k).padStart(3, '0')}.png`), await encodeImage(digit(digits.images, k), 'png'));
  mkfifo(path.join(batch, 'x.png'));
  await symlink('/dev/zero', path.join(batch, 'zero.png'));
  await mkdir(path.join(batch, 'folder.png'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('special files in a batch and as paths (finding 2)', () => {
  it('classify: a FIFO named x.png, a link to /dev/zero and a folder fail alone; every digit is still classified', async () => {
    const r = await within(cli(['classify', mnistCnn, batch, '--json', '--device', 'cpu']), 60_000);
    expect(r.code).toBe(1); // some inputs failed
    const report = JSON.parse(r.stdout) as ClassifyReport;
    expect(report.classified).toBe(DIGITS);
    const failed = report.results.filter((x) => !x.ok);
    expect(failed.map((f) => path.basename(f.file)).sort()).toEqual(['folder.png', 'x.png', 'zero.png']);
    for (const f of failed) {
      if (f.ok) continue;
      expect(f.code).toBe('unreadable');
      expect(f.error).toMatch(/not a regular file/);
    }
  });

  it('inspect /dev/zero and a FIFO model fail at once with a typed error instead of reading forever', async () => {
    const r = await within(cli(['inspect', '/dev/zero']));
    expect(expectOneLineError(r)).toMatch(/'\/dev\/zero': it is a character device, not a regular file/);
    const fifo = path.join(dir, 'model.onnx');
    mkfifo(fifo);
    expect((await rejection(createSession(fifo))).code).toBe('not-a-file');
    expect((await rejection(openModelFile(fifo))).code).toBe('not-a-file');
    expect(expectOneLineError(await within(cli(['run', fifo, '-i', '[1, 2]'])))).toMatch(/FIFO/);
  });

  it('an external-data location that is a FIFO or leads to /dev/zero is refused with a ModelFormatError', async () => {
    const folder = path.join(dir, 'ext');
    await mkdir(folder);
    await writeFile(path.join(folder, 'fifo.onnx'), externalModel('w.fifo'));
    mkfifo(path.join(folder, 'w.fifo'));
    const fifo = await rejection(openModelFile(path.join(folder, 'fifo.onnx')));
    expect(fifo).toBeInstanceOf(ModelFormatError);
    expect(fifo.code).toBe('external-data');
    expect(fifo.message).toMatch(/tensor 'W': cannot read external data 'w\.fifo': it is a FIFO/);
    await writeFile(path.join(folder, 'dev.onnx'), externalModel('dev.bin'));
    await symlink('/dev/zero', path.join(folder, 'dev.bin'));
    expect((await rejection(createSession(path.join(folder, 'dev.onnx')))).code).toBe('external-data');
    await copyFile(mnistCnn, path.join(folder, 'ok.onnx'));
    await (await createSession(path.join(folder, 'ok.onnx'))).release();
  });
});

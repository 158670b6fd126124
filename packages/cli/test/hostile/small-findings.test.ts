import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Classifier,
  ConvertError,
  convertKeras,
  createSession,
  DeviceUnavailableError,
  encodeModel,
  GraphBuilder,
  ModelFormatError,
  parseIdx,
  RunError,
  setPreprocessingSpec,
  type ImageDecoder,
  type RawImage,
} from '@onnxkit/node';
import { decodeWithSharp, encodeImage, readTensorFile, writeFileAtomic } from '@onnxkit/node';
import { cli, expectOneLineError, mnist8 } from '../cli/harness.js';
import { rejection } from '../../../node/test/hostile/special-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-small-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const deepJson = (depth: number) => '['.repeat(depth) + '1' + ']'.repeat(depth);

describe('smaller findings (finding 6)', () => {
  it('a corrupt model is a ModelFormatError naming the file before any device is tried, never a CUDA complaint', async () => {
    const file = path.join(dir, 'corrupt.onnx');
    const bytes = new Uint8Array(await (await import('node:fs/promises')).readFile(mnist8));
    await writeFile(file, bytes.subarray(0, bytes.length >> 1));
    for (const device of ['auto', 'cpu', 'cuda'] as const) {
      const err = await rejection(createSession(file, { device }));
      expect(err).toBeInstanceOf(ModelFormatError);
      expect(err).not.toBeInstanceOf(DeviceUnavailableError);
      expect(err.message.startsWith(`${file}: `)).toBe(true);
      expect(err.message).not.toMatch(/cuda/i);
    }
    // Bytes too: decoded and validated before ORT sees them.
    const auto = await rejection(createSession(bytes.subarray(0, bytes.length >> 1)));
    expect(auto).toBeInstanceOf(ModelFormatError);
    expect(auto.message).toMatch(/^the model bytes: /);
    await writeFile(file, 'garbage that is no protobuf');
    expect((await rejection(Classifier.load(file))).message).toMatch(/corrupt\.onnx: not an ONNX model/);
  });

  it("ORT's C++ source paths and signatures are stripped from run errors", async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('X', 'float32', ['n']);
    b.input('S', 'int64', [1]);
    b.op('Reshape', ['X', 'S'], {}, { output: 'Y' });
    b.output('Y', 'float32');
    const session = await createSession(encodeModel(b.build()), { device: 'cpu' });
    const err = await rejection(session.run({ X: { data: new Float32Array(8), dims: [8] }, S: { data: BigInt64Array.of(5n), dims: [1], dtype: 'int64' } }));
    expect(err).toBeInstanceOf(RunError);
    expect(err.code).toBe('run-failed');
    expect(err.message).toMatch(/The input tensor cannot be reshaped to the requested shape\. Input shape:\{8\}, requested shape:\{5\}/);
    expect(err.message).not.toMatch(/onnxruntime_src|\.(cc|h):\d+|onnxruntime::/);
    await session.release();
  });

  it('JSON nested 5,000 deep is a typed error, not "Maximum call stack size exceeded"', async () => {
    const text = deepJson(5000);
    const conv = await rejection(convertKeras({ model: new TextEncoder().encode(`{"class_name":"Sequential","config":${text}}`) }));
    expect(conv).toBeInstanceOf(ConvertError);
    expect(conv.code).toBe('invalid-config');
    const file = path.join(dir, 'deep.json');
    await writeFile(file, text);
    await expect(readTensorFile(file)).rejects.toThrow(/JSON nested 5000 levels deep, more than the 256 allowed/);
    expect(expectOneLineError(await cli(['run', mnist8, '-i', file]))).toMatch(/nested 5000 levels deep/);
  });

  it('an IDX .gz that inflates past its cap stops inflating with a RangeError', () => {
    const bomb = gzipSync(new Uint8Array(64 << 20));
    expect(bomb.length).toBeLessThan(1 << 20);
    expect(() => parseIdx(bomb, { maxInflatedBytes: 8 << 20 })).toThrow(/inflates to more than 8,388,608 bytes/);
    const ok = gzipSync(Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 7, 9));
    expect(Array.from(parseIdx(ok, { maxInflatedBytes: 10 }).data)).toEqual([7, 9]);
  });

  it('a batch holds at most `concurrency` decoded full-size images, not a whole chunk plus the next one', async () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('X', 'float32', ['N', 1, 2, 2]);
    b.initializer('W', 'float32', [4, 2], Float32Array.of(1, 0, 0, 1, 1, 0, 0, 1));
    b.op('Flatten', ['X'], {}, { output: 'f' });
    b.op('MatMul', ['f', 'W'], {}, { output: 'scores' });
    b.output('scores', 'float32', ['N', 2]);
    const model = b.build();
    setPreprocessingSpec(model, { layout: 'NCHW', height: 2, width: 2, channels: 1, scale: [0, 1], polarity: 'any', procedure: 'resize' });
    let held = 0;
    let peak = 0;
    // Each decoded image counts as held until preprocessing first reads its pixels.
    const decoder: ImageDecoder = {
      name: 'counting',
      async decode(): Promise<RawImage> {
        held++;
        peak = Math.max(peak, held);
        await new Promise((r) => setTimeout(r, 1));
        const data = new Uint8Array(64 * 64).fill(100);
        let read = false;
        return {
          width: 64,
          height: 64,
          channels: 1,
          get data() {
            if (!read) held--;
            read = true;
            return data;
          },
        };
      },
    };
    const clf = await Classifier.load(encodeModel(model), { decoder, batchSize: 16, concurrency: 2, device: 'cpu' });
    const results = await clf.classify(Array.from({ length: 64 }, (_, i) => `image-${i}.png`));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(peak).toBeLessThanOrEqual(2);
    await clf.dispose();
  });

  it('damaged JPEG data that libvips repairs with only a warning is refused, not classified', async () => {
    const raw: RawImage = { width: 64, height: 64, channels: 3, data: Uint8Array.from({ length: 3 * 4096 }, (_, i) => (i * 37) % 256) };
    const jpeg = await encodeImage(raw, 'jpeg');
    expect((await decodeWithSharp(jpeg, { maxPixels: 1e6 })).width).toBe(64);
    let tried = 0;
    let refused = 0;
    // One flipped byte at a time in the entropy-coded data (past the headers).
    for (let i = 200; i < jpeg.length - 2; i += 13, tried++) {
      const damaged = Uint8Array.from(jpeg);
      damaged[i] ^= 0xff;
      const err = await decodeWithSharp(damaged, { maxPixels: 1e6 }).then(() => undefined, (e: Error & { code?: string }) => e);
      if (err) {
        expect(err.code).toBe('not-an-image');
        refused++;
      }
    }
    // With failOn 'error' libvips decoded 148 of these 151, repairing what it could not read; 48 of them
    // come with a warning and are now refused. The rest decode with no warning at all and are accepted, as
    // by any decoder (a flipped coefficient is still a valid JPEG).
    expect(tried).toBeGreaterThan(100);
    expect(refused / tried).toBeGreaterThan(0.2);
  });

  it('a temporary file left by a killed save of the same target is removed by the next save', async () => {
    const folder = path.join(dir, 'atomic');
    await mkdir(folder);
    // pid 2^22 + 1 is above Linux's pid_max default ceiling, so no process has it.
    const stale = `.model.onnx.${2 ** 22 + 1}.0123456789ab.tmp`;
    const otherTarget = `.other.onnx.${2 ** 22 + 1}.0123456789ab.tmp`;
    const live = `.model.onnx.${process.pid}.ba9876543210.tmp`;
    for (const f of [stale, otherTarget, live]) await writeFile(path.join(folder, f), 'x');
    await writeFileAtomic(path.join(folder, 'model.onnx'), 'new');
    expect((await readdir(folder)).sort()).toEqual([live, otherTarget, 'model.onnx'].sort());
  });
});

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel, GraphBuilder, ModelFormatError } from '@onnxkit/core';
import { loadModelFile, openModelFile } from '../../src/io/model-file.js';

const repoRoot = path.resolve(__dirname, '../../../..');
const mnist = path.resolve(repoRoot, '../shared/fixtures/models/mnist-onnx/mnist-8.onnx');
const W = Float32Array.from([0.5, -1, 2, 3.25, -4, 8]);

/** Bytes of Y = X + W, W [2,3] stored at `location` (offset 4). */
function externalModelBytes(location: string): Uint8Array {
  const b = new GraphBuilder({ opset: 17 });
  b.input('X', 'float32', [2, 3]);
  b.initializer('W', 'float32', [2, 3], W);
  b.op('Add', ['X', 'W'], {}, { output: 'Y' });
  b.output('Y', 'float32', [2, 3]);
  const model = b.build();
  Object.assign(model.graph.initializers[0], {
    data: new Float32Array(0),
    external: { location, offset: 4, length: W.byteLength },
  });
  return encodeModel(model);
}

function weightsBytes(): Uint8Array {
  const file = new Uint8Array(4 + W.byteLength);
  file.set(new Uint8Array(W.buffer), 4);
  return file;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-model-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openModelFile', () => {
  it("loads external data from the model's folder; ORT runs the self-contained bytes", async () => {
    const folder = path.join(dir, 'ok');
    await mkdir(path.join(folder, 'data'), { recursive: true });
    await writeFile(path.join(folder, 'model.onnx'), externalModelBytes('data/weights.bin'));
    await writeFile(path.join(folder, 'data', 'weights.bin'), weightsBytes());
    const file = await openModelFile(path.join(folder, 'model.onnx'));
    expect(file.externalFiles).toEqual(['data/weights.bin']);
    expect(file.model.graph.initializers[0].external).toBeUndefined();

    const session = await ort.InferenceSession.create(file.bytes);
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const { Y } = await session.run({ X: new ort.Tensor('float32', x, [2, 3]) });
    expect(Array.from(Y.data as Float32Array)).toEqual(Array.from(x, (v, i) => v + W[i]));
    await session.release();
  });

  it('returns the file bytes unchanged when nothing is external', async () => {
    const file = await openModelFile(mnist);
    expect(file.externalFiles).toEqual([]);
    expect(file.model.graph.inputs[0].name).toBe('Input3');
    expect((await loadModelFile(mnist)).graph.nodes.length).toBe(file.model.graph.nodes.length);
  });

  it("refuses locations that escape the folder or are absolute, and symlinks leading out", async () => {
    const folder = path.join(dir, 'bad');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(dir, 'outside.bin'), weightsBytes());
    for (const [name, location, pattern] of [
      ['up.onnx', '../outside.bin', /escapes the model's folder/],
      ['abs.onnx', '/etc/passwd', /is absolute/],
      ['abs2.onnx', path.join(dir, 'outside.bin'), /is absolute/],
    ] as const) {
      await writeFile(path.join(folder, name), externalModelBytes(location));
      const err = await rejection(openModelFile(path.join(folder, name)));
      expect(err).toBeInstanceOf(ModelFormatError);
      expect((err as ModelFormatError).code).toBe('external-data');
      expect(err.message).toMatch(pattern);
    }
    await symlink(path.join(dir, 'outside.bin'), path.join(folder, 'link.bin'));
    await writeFile(path.join(folder, 'link.onnx'), externalModelBytes('link.bin'));
    const viaLink = await rejection(openModelFile(path.join(folder, 'link.onnx')));
    expect((viaLink as ModelFormatError).code).toBe('external-data');
    expect(viaLink.message).toMatch(/leads outside the model's folder through a symbolic link/);
  });

  it('names the path for a missing model, a missing weights file and bytes that are not a model', async () => {
    expect((await rejection(openModelFile(path.join(dir, 'nope.onnx')))).message).toMatch(/cannot read model '.*nope\.onnx': no such file/);
    await writeFile(path.join(dir, 'lonely.onnx'), externalModelBytes('missing.bin'));
    expect((await rejection(openModelFile(path.join(dir, 'lonely.onnx')))).message).toMatch(
      /tensor 'W': cannot read external data 'missing\.bin': no such file/,
    );
    await writeFile(path.join(dir, 'junk.onnx'), 'this is not a protobuf at all');
    const junk = await rejection(openModelFile(path.join(dir, 'junk.onnx')));
    expect(junk).toBeInstanceOf(ModelFormatError);
    expect(junk.message).toMatch(/junk\.onnx: not an ONNX model/);
  });
});

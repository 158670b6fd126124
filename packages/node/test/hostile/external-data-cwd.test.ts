import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Classifier, createSession, encodeModel, GraphBuilder, ModelFormatError, setPreprocessingSpec } from '@onnxkit/node';
import { rejection } from './special-files.js';

const W = Float32Array.from({ length: 10 }, (_, i) => i - 4.5);

/** scores = Flatten(X)·0 + W (W [10] in external file 'weights.bin'): the scores are W itself. */
function externalClassifier(): Uint8Array {
  const b = new GraphBuilder({ opset: 17 });
  b.input('X', 'float32', ['N', 1, 2, 2]);
  b.initializer('zero', 'float32', [4, 10], new Float32Array(40));
  b.initializer('W', 'float32', [10], W);
  b.op('Flatten', ['X'], {}, { output: 'flat' });
  b.op('MatMul', ['flat', 'zero'], {}, { output: 'mm' });
  b.op('Add', ['mm', 'W'], {}, { output: 'scores' });
  b.output('scores', 'float32', ['N', 10]);
  const model = b.build();
  setPreprocessingSpec(model, { layout: 'NCHW', height: 2, width: 2, channels: 1, scale: [0, 1], polarity: 'any', procedure: 'resize' });
  Object.assign(model.graph.initializers[1], { data: new Float32Array(0), external: { location: 'weights.bin', offset: 0, length: W.byteLength } });
  return encodeModel(model);
}

let dir: string;
let modelPath: string;
let sibling: string;
const cwd = process.cwd();
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cwd-'));
  await mkdir(path.join(dir, 'model'));
  modelPath = path.join(dir, 'model', 'model.onnx');
  await writeFile(modelPath, externalClassifier());
  await writeFile(path.join(dir, 'model', 'weights.bin'), new Uint8Array(W.buffer));
  // A sibling folder holding a file of the same name with other weights.
  sibling = path.join(dir, 'sibling');
  await mkdir(sibling);
  await writeFile(path.join(sibling, 'weights.bin'), new Uint8Array(new Float32Array(10).fill(7).buffer));
});
afterEach(() => process.chdir(cwd));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("external data resolves against the model's folder, not the working directory (finding 3)", () => {
  it('createSession(path) reads the weights beside the model, from a sibling folder and from elsewhere', async () => {
    for (const where of [sibling, tmpdir()]) {
      process.chdir(where);
      const session = await createSession(path.relative(where, modelPath));
      const out = await session.run({ X: { data: new Float32Array(4), dims: [1, 1, 2, 2] } });
      expect(Array.from(out.scores.data as Float32Array)).toEqual(Array.from(W));
      await session.release();
    }
  });

  it('Classifier.load(path) does too: the scores are the weights beside the model', async () => {
    process.chdir(sibling);
    const clf = await Classifier.load(modelPath, { scores: 'logits' });
    const r = await clf.classify({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) });
    expect(r.index).toBe(9); // W is largest at index 9; the sibling's weights are all equal
    expect(r.probability).toBeCloseTo(Math.exp(4.5) / W.reduce((s, w) => s + Math.exp(w), 0), 6);
    await clf.dispose();
  });

  it('bytes that still reference external data are refused instead of read from the working directory', async () => {
    process.chdir(sibling);
    const err = await rejection(createSession(externalClassifier()));
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(err.code).toBe('external-data');
    expect(err.message).toMatch(/^the model bytes: tensor 'W' keeps its data in the external file 'weights\.bin'/);
  });
});

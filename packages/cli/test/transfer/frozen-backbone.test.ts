import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backboneKey,
  decodeModel,
  DiskEmbeddingStore,
  embedImageFolder,
  encodeModel,
  loadModelFile,
  mergeHead,
  replaceHead,
  splitAtHead,
  type Model,
} from '@onnxkit/node';
import type { TrainReport } from '../../src/cli/training/train-report.js';
import { cli } from '../cli/harness.js';
import { mnistCnn, someDigits, writeImageFolder } from '../cli/training-data.js';
import { mkfifo, within } from '../../../node/test/hostile/special-files.js';

// A frozen backbone (mnist-cnn up to its last dense layer) runs once per image; its embeddings are
// kept in memory and on disk, keyed by the backbone's and the file's SHA-256.
let dir: string;
let folder: string;
let model: Model;
const file = (name: string) => path.join(dir, name);
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-frozen-'));
  folder = await writeImageFolder(file('digits'), someDigits(2), DIGITS);
  model = replaceHead(await loadModelFile(mnistCnn), { classes: 10, seed: 3 }).model;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(m: Model, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(m));
  try {
    const out = await session.run(feeds);
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('splitAtHead and mergeHead', () => {
  it('backbone then head gives the model’s outputs; a trained head merges back by name', async () => {
    const split = splitAtHead(model);
    expect(split.featureCount).toBe(64);
    expect(split.headParameters).toEqual(['fc2.weight', 'fc2.bias']);
    expect(split.head.graph.initializers.map((t) => t.name).sort()).toEqual(['fc2.bias', 'fc2.weight']);
    const x = new ort.Tensor('float32', someDigits(1).images.subarray(0, 3 * 784), [3, 1, 28, 28]);
    const features = await run(split.backbone, { input: x });
    const probs = await run(split.head, { features: new ort.Tensor('float32', features, [3, 64]) });
    const full = await run(model, { input: x });
    for (let i = 0; i < full.length; i++) expect(probs[i]).toBeCloseTo(full[i], 6);

    const trained = { ...split.head, graph: { ...split.head.graph, initializers: split.head.graph.initializers.map((t) => ({ ...t, data: Float32Array.from(t.data as Float32Array, (v) => v + 1) })) } };
    const merged = mergeHead(model, trained);
    const w = (m: Model, n: string) => m.graph.initializers.find((t) => t.name === n)!.data as Float32Array;
    expect(w(merged, 'fc2.weight')[5]).toBeCloseTo(w(model, 'fc2.weight')[5] + 1, 6);
    expect(w(merged, 'conv1.weight')).toBe(w(model, 'conv1.weight'));
    expect(() => splitAtHead({ ...model, graph: { ...model.graph, outputs: [] } })).toThrow(RangeError);
  });
});

describe('DiskEmbeddingStore', () => {
  const key = (a: string, b: string) => `${a.repeat(64)}:${b.repeat(64)}`;

  it('keeps embeddings across instances; a damaged file, a link out of the folder and a FIFO count as absent', async () => {
    const cache = file('store');
    const first = new DiskEmbeddingStore(cache);
    await first.set(key('a', 'b'), Float32Array.of(1, 2, 3));
    const again = new DiskEmbeddingStore(cache);
    expect(await again.get(key('a', 'b'), 3)).toEqual(Float32Array.of(1, 2, 3));
    expect(again.hits).toBe(1);
    expect(await again.get(key('a', 'b'), 4)).toBeUndefined();

    const entry = path.join(cache, 'a'.repeat(64), `${'b'.repeat(64)}.emb`);
    const bytes = new Uint8Array(await readFile(entry));
    bytes[bytes.length - 1] ^= 0x40;
    await writeFile(entry, bytes);
    const damaged = new DiskEmbeddingStore(cache);
    expect(await damaged.get(key('a', 'b'), 3)).toBeUndefined();
    expect(damaged.rejected).toBe(1);
    await damaged.set(key('a', 'b'), Float32Array.of(4, 5, 6));
    expect(await new DiskEmbeddingStore(cache).get(key('a', 'b'), 3)).toEqual(Float32Array.of(4, 5, 6));

    const outside = file('outside.emb');
    await writeFile(outside, await readFile(entry));
    await symlink(outside, path.join(cache, 'a'.repeat(64), `${'c'.repeat(64)}.emb`));
    mkfifo(path.join(cache, 'a'.repeat(64), `${'d'.repeat(64)}.emb`));
    const fresh = new DiskEmbeddingStore(cache);
    expect(await fresh.get(key('a', 'c'), 3)).toBeUndefined();
    expect(await within(fresh.get(key('a', 'd'), 3))).toBeUndefined();
    await expect(fresh.set('../../etc:passwd', Float32Array.of(1))).rejects.toThrow(RangeError);
    expect(() => new DiskEmbeddingStore('')).toThrow(TypeError);
  });
});

describe('embedImageFolder', () => {
  it('runs the backbone once per image: a second run reads every embedding, a changed file or another backbone recomputes', async () => {
    const { backbone } = splitAtHead(model);
    const cache = file('folder-cache');
    const first = await embedImageFolder(backbone, folder, { store: new DiskEmbeddingStore(cache), device: 'cpu' });
    expect(first.embeddings).toMatchObject({ computed: 20, stored: 0, dims: 64 });
    expect(first.dataset).toMatchObject({ count: 20, shape: [64, 1, 1], classes: 10, classNames: DIGITS });
    const spec = JSON.parse(model.metadata['onnxkit.preprocessing']);
    expect(await readdir(path.join(cache, backboneKey(backbone, spec)))).toHaveLength(20);

    const second = await embedImageFolder(backbone, folder, { store: new DiskEmbeddingStore(cache), device: 'cpu' });
    expect(second.embeddings).toMatchObject({ computed: 0, stored: 20 });
    expect(second.dataset.images).toEqual(first.dataset.images);

    // A bar instead of the digit: another file, another hash.
    const bar = Buffer.from(Array.from({ length: 28 * 28 }, (_, i) => (i % 28 > 10 && i % 28 < 16 ? 255 : 0)));
    await sharp(bar, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(second.files[7]);
    const changed = await embedImageFolder(backbone, folder, { store: new DiskEmbeddingStore(cache), device: 'cpu' });
    expect(changed.embeddings).toMatchObject({ computed: 1, stored: 19 });

    const other = splitAtHead(replaceHead(await loadModelFile(mnistCnn), { classes: 10, seed: 3 }).model).backbone;
    other.graph.initializers = other.graph.initializers.map((t) => (t.name === 'conv1.bias' ? { ...t, data: new Float32Array(t.data.length) } : t));
    const otherRun = await embedImageFolder(other, folder, { store: new DiskEmbeddingStore(cache), device: 'cpu' });
    expect(otherRun.embeddings).toMatchObject({ computed: 20, stored: 0 });
  });

  it('finetune --head-only trains the head on cached embeddings and writes the same model from the cache', async () => {
    const cache = file('cli-cache');
    const args = (out: string, ...extra: string[]) => ['finetune', mnistCnn, '--data', folder, '--new-head', '10', '--head-only', '--epochs', '3', '--batch-size', '8', '--lr', '0.01', '--embedding-cache', cache, '--out', out, '--json', '--no-plots', ...extra];
    const a = JSON.parse((await cli(args(file('a.onnx')))).stdout) as TrainReport;
    expect(a.embedding).toMatchObject({ computed: 20, cached: 0, features: 64, cache });
    expect(a.trainable.tensors).toEqual(['fc2.weight', 'fc2.bias']);
    const b = JSON.parse((await cli(args(file('b.onnx')))).stdout) as TrainReport;
    expect(b.embedding).toMatchObject({ computed: 0, cached: 20 });
    // Same embeddings, same seed: the same trained head, bit for bit, on the whole model.
    const weights = async (f: string) => new Map(decodeModel(new Uint8Array(await readFile(f))).graph.initializers.map((t) => [t.name, t.data]));
    const [wa, wb] = [await weights(file('a.onnx')), await weights(file('b.onnx'))];
    expect(wb.get('fc2.weight')).toEqual(wa.get('fc2.weight'));
    expect(wa.get('fc2.weight')).not.toEqual(model.graph.initializers.find((t) => t.name === 'fc2.weight')!.data);
    expect(wa.get('conv1.weight')).toEqual(model.graph.initializers.find((t) => t.name === 'conv1.weight')!.data);
    expect(b.history.map((e) => e.loss)).toEqual(a.history.map((e) => e.loss));
    // Augmentation changes the images every epoch: the whole graph runs instead, no embeddings.
    const augmented = JSON.parse((await cli(args(file('c.onnx'), '--augment'))).stdout) as TrainReport;
    expect(augmented.embedding).toBeUndefined();
    expect(augmented.trainable.tensors).toEqual(['fc2.weight', 'fc2.bias']);
  });
});

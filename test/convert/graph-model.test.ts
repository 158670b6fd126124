import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Classifier, ConvertError, convertKeras, generateArtifacts, loadMnistDigits, nodeImageDecoder, oneHot, selectExamples, Trainer, type ConvertOptions, type ConvertResult, type RawImage } from '@onnxkit/node';
import { accuracy, maxAbsDiff, runConverted } from './compare.js';
import { GRAPH_MODEL_FIXTURE } from './fixture-models.js';
import { loadNsfwjsModel, NSFWJS_CLASSES } from './nsfwjs-model.js';
import { allOpsGraphModel, attr, GraphModelBuilder, loadTfjsGraph, shardModel, tfjsGraphPredict } from './synthetic-graph.js';
import { quantize, type SavedTfjs } from './synthetic-models.js';

const digits = loadMnistDigits({ perClass: 2 });
const cpu = { device: 'cpu' as const, intraOpNumThreads: 1 };
const bytes = (json: object) => new Uint8Array(Buffer.from(JSON.stringify(json)));
const convertSaved = (s: SavedTfjs, options: ConvertOptions = {}) => convertKeras({ model: bytes(s.json), readFile: () => s.shard, fileName: 'model.json' }, options);

describe('TF.js graph models: every supported op vs TF.js', () => {
  const saved = allOpsGraphModel();
  const outputs = ['to_nhwc', 'Identity'];

  it('matches TF.js on both outputs within 1e-4, NHWC and NCHW, opsets 13, 17 and 21', async () => {
    const expected = tfjsGraphPredict(await loadTfjsGraph(saved), digits.images, [digits.count, 28, 28, 1], outputs);
    const r = await convertSaved(saved);
    expect(r.format).toBe('tfjs-graph');
    expect(r.card.source.modelClass).toBe('GraphModel');
    expect(r.inputs).toEqual([{ name: 'image', shape: ['N', 28, 28, 1] }]);
    expect(r.outputs).toEqual([{ name: 'to_nhwc', shape: ['N', 8, 8, 32] }, { name: 'Identity', shape: ['N', 10] }]);
    const ops = new Set(r.model.graph.nodes.map((n) => n.opType));
    for (const op of ['Conv', 'BatchNormalization', 'Pad', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'ReduceMean', 'Concat', 'Gemm', 'Softmax', 'Clip', 'LeakyRelu', 'Sigmoid', 'Div', 'Squeeze', 'Unsqueeze']) {
      expect(ops).toContain(op);
    }
    expect(maxAbsDiff(await runConverted(r.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
    const nchw = await convertSaved(saved, { layout: 'NCHW' });
    expect(nchw.inputs[0].shape).toEqual(['N', 1, 28, 28]);
    expect(maxAbsDiff(await runConverted(nchw.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
    for (const opset of [13, 21]) {
      const o = await convertSaved(saved, { opset, outputs: 'last' });
      expect(o.model.opsetImports).toEqual([{ domain: '', version: opset }]);
      expect(maxAbsDiff(await runConverted(o.model, digits.images, digits.count), [expected[1]])).toBeLessThanOrEqual(1e-4);
    }
  });

  it.each(['uint8', 'uint16', 'float16'] as const)('reads %s-quantized weights split over many shards as TF.js does', async (dtype) => {
    const q = quantize(saved, dtype);
    const sharded = shardModel(q, 1000);
    expect(sharded.files.size).toBeGreaterThan(3);
    const read = (p: string) => {
      const f = sharded.files.get(p);
      if (!f) throw new Error(`no shard ${p}`);
      return f;
    };
    const reference = await loadTfjsGraph({ json: sharded.json, shard: q.shard }, read);
    const expected = tfjsGraphPredict(reference, digits.images, [digits.count, 28, 28, 1], outputs);
    const r = await convertKeras({ model: bytes(sharded.json), readFile: read });
    expect(maxAbsDiff(await runConverted(r.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
  });

  it('one training step lowers the loss (every op with a gradient rule; zero padding for MirrorPad)', async () => {
    const s = allOpsGraphModel({ seed: 9, mirrorPad: false });
    const { before, after } = await oneStep(await convertSaved(s, { outputs: 'last' }), mnistBatch(), 1e-2);
    expect(after).toBeLessThan(before);
  });

  it('a _FusedConv2D with FusedBatchNorm (which TF.js cannot run) equals TF.js running the unfused Conv2D → FusedBatchNormV3 → Relu', async () => {
    const build = (fused: boolean) => {
      const g = new GraphModelBuilder(3);
      const x = g.placeholder('image', [-1, 28, 28, 1]);
      const filter = g.weight('conv/filter', [3, 3, 1, 5]);
      const stats = [g.weight('bn/scale', [5], { positive: true }), g.weight('bn/offset', [5]), g.weight('bn/mean', [5], { scale: 0.2 }), g.weight('bn/variance', [5], { positive: true })];
      const window = { strides: attr.ints([1, 2, 2, 1]), padding: attr.str('SAME'), dilations: attr.ints([1, 1, 1, 1]), data_format: attr.str('NHWC') };
      if (fused) g.op('out', '_FusedConv2D', [x, filter, ...stats], { ...window, fused_ops: attr.strs(['FusedBatchNorm', 'Relu']), num_args: attr.int(4), epsilon: attr.float(0.001) });
      else g.op('out', 'Relu', [g.op('bn', 'FusedBatchNormV3', [g.op('conv', 'Conv2D', [x, filter], window), ...stats], { epsilon: attr.float(0.001), is_training: attr.bool(false) })]);
      return g.build(['out']);
    };
    const expected = tfjsGraphPredict(await loadTfjsGraph(build(false)), digits.images, [digits.count, 28, 28, 1]);
    const r = await convertSaved(build(true));
    expect(maxAbsDiff(await runConverted(r.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
  });

  it('lists every unsupported op with its count in one ConvertError', async () => {
    const g = new GraphModelBuilder(1);
    const x = g.placeholder('x', [-1, 4, 4, 1]);
    const m = g.int32('multiples', [4], [1, 2, 2, 1]);
    const t2 = g.op('tile2', 'Tile', [g.op('tile1', 'Tile', [x, m]), m]);
    const summed = g.op('cumsum', 'Cumsum', [t2, g.int32('axis', [], [1])]);
    g.op('out', 'Relu', [g.op('top', 'TopKV2', [summed, g.int32('k', [], [2])])]);
    const err = await convertSaved(g.build(['out'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvertError);
    expect((err as ConvertError).code).toBe('unsupported-op');
    expect((err as Error).message).toMatch(/^cannot convert the graph model: unsupported TensorFlow ops Tile ×2, Cumsum ×1, TopKV2 ×1\. Supported ops: Add, AddV2, /);
  });

  it('the tensorspace TF.js 0.x graph-model fixture (TF 2 Flatten: Shape → StridedSlice → Pack → Reshape) converts and matches TF.js', async () => {
    const file = GRAPH_MODEL_FIXTURE;
    const read = (p: string) => new Uint8Array(readFileSync(path.join(path.dirname(file), p)));
    const mnist = loadMnistDigits({ perClass: 5 });
    const json = JSON.parse(readFileSync(file, 'utf8')) as SavedTfjs['json'];
    const [expected] = tfjsGraphPredict(await loadTfjsGraph({ json, shard: new Uint8Array() }, read), mnist.images, [mnist.count, 28, 28, 1]);
    const r = await convertKeras({ model: readFileSync(file), readFile: read });
    expect(r.inputs).toEqual([{ name: 'MyInput', shape: ['N', 28, 28, 1] }]);
    expect(r.outputs).toEqual([{ name: 'MySoftMax', shape: ['N', 10] }]);
    const got = await runConverted(r.model, mnist.images, mnist.count);
    expect(maxAbsDiff(got, [expected])).toBeLessThanOrEqual(1e-4);
    expect(accuracy(got[0], mnist.labels)).toBeGreaterThanOrEqual(0.9);
  });
});

describe("nsfwjs 4.4.0's MobileNetV2 graph model", async () => {
  const { modelJson, json, shards } = loadNsfwjsModel();
  const readFile = (p: string) => {
    const s = shards.get(p);
    if (!s) throw new Error(`no shard ${p}`);
    return s;
  };
  const converted = await convertKeras({ model: modelJson, readFile, fileName: 'mobilenet_v2_mid/model.json' }, { labels: NSFWJS_CLASSES });
  const docs = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../docs');
  // Real pictures: a screenshot of the demo page, and MNIST digits (gray, resized to 224×224 RGB by the spec).
  const images: (Uint8Array | RawImage)[] = [
    readFileSync(path.join(docs, 'demo-before.png')),
    ...[0, 7].map((i): RawImage => ({ data: Uint8ClampedArray.from(digits.images.subarray(i * 784, (i + 1) * 784), (v) => v * 255), width: 28, height: 28, channels: 1 })),
  ];

  it('converts (uint8-quantized, two shards), classifies through Classifier and matches TF.js within 1e-4', async () => {
    expect(converted.inputs).toEqual([{ name: 'input', shape: ['N', 224, 224, 3] }]);
    expect(converted.outputs).toEqual([{ name: 'Identity', shape: ['N', 5] }]);
    expect(converted.preprocessing).toMatchObject({ height: 224, width: 224, channels: 3, scale: [0, 1], procedure: 'resize' });
    const classifier = await Classifier.load(converted.model, { ...cpu, decoder: nodeImageDecoder });
    try {
      expect(classifier.labels).toEqual(NSFWJS_CLASSES);
      const tensors = await Promise.all(images.map((im) => classifier.preprocess(im)));
      const batch = new Float32Array(tensors.length * tensors[0].length);
      tensors.forEach((t, i) => batch.set(t, i * t.length));
      const all = json.weightsManifest as SavedTfjs['json']['weightsManifest'];
      const reference = await loadTfjsGraph({ json: json as SavedTfjs['json'], shard: new Uint8Array() }, readFile);
      expect(all.flatMap((g) => g.weights).every((w) => w.quantization?.dtype === 'uint8')).toBe(true);
      const [expected] = tfjsGraphPredict(reference, batch, [images.length, 224, 224, 3]);
      const got = await runConverted(converted.model, batch, images.length);
      expect(maxAbsDiff(got, [expected])).toBeLessThanOrEqual(1e-4);
      const results = await classifier.classify(images);
      results.forEach((r, i) => {
        expect(r.ok).toBe(true);
        const row = Array.from(expected.subarray(i * 5, i * 5 + 5));
        if (r.ok) expect(r.label).toBe(NSFWJS_CLASSES[row.indexOf(Math.max(...row))]);
      });
      tf.disposeVariables();
    } finally {
      await classifier.dispose();
    }
  });

  it('one fine-tuning step lowers the loss', async () => {
    const classifier = await Classifier.load(converted.model, { ...cpu, decoder: nodeImageDecoder });
    const tensors = await Promise.all(images.map((im) => classifier.preprocess(im)));
    await classifier.dispose();
    const data = new Float32Array(tensors.length * tensors[0].length);
    tensors.forEach((t, i) => data.set(t, i * t.length));
    const labels = Int32Array.from([0, 0, 2]);
    const { before, after } = await oneStep(converted, { inputs: { input: { data, dims: [tensors.length, 224, 224, 3] } }, labels: { data: oneHot(labels, 5), dims: [tensors.length, 5] } }, 1e-5);
    expect(after).toBeLessThan(before);
  });
});

type Batch = { inputs: Record<string, { data: Float32Array; dims: number[] }>; labels: { data: Float32Array; dims: number[] } };

function mnistBatch(): Batch {
  const b = selectExamples(digits, Array.from({ length: 16 }, (_, i) => i % digits.count));
  return { inputs: { image: { data: b.images, dims: [16, 28, 28, 1] } }, labels: { data: oneHot(b.labels, 10), dims: [16, 10] } };
}

/** Loss on a fixed batch, one Adam step, loss again. */
async function oneStep(converted: ConvertResult, batch: Batch, learningRate: number): Promise<{ before: number; after: number }> {
  const trainer = await Trainer.create(generateArtifacts(converted.model, { optimizer: 'adam', output: converted.card.prediction }), cpu);
  try {
    const before = (await trainer.evalStep(batch.inputs, batch.labels)).loss;
    await trainer.trainStep(batch.inputs, batch.labels);
    await trainer.optimizerStep({ learningRate });
    return { before, after: (await trainer.evalStep(batch.inputs, batch.labels)).loss };
  } finally {
    await trainer.release();
  }
}

import { describe, expect, it } from 'vitest';
import {
  ARTIFACT_TARGETS,
  buildSeedCnn,
  decodeModel,
  encodeArtifacts,
  generateArtifacts,
  GraphBuilder,
  oneHot,
  selectExamples,
  Trainer,
  type ArtifactTarget,
  type ImageDataset,
  type Model,
  type TrainingArtifacts,
} from '@onnxkit/node';
import { commuteReluMaxPool } from '../../packages/core/src/train/artifacts/commute-relu-pool.js';
import { cropConvolutionsToPool } from '../../packages/core/src/train/artifacts/crop-conv-to-pool.js';
import { loadMnistDigits } from '../../packages/node/src/data/mnist-digits.js';

// Artifact targets: the same training run through each formulation, and how Trainer.create picks one.
const digits = loadMnistDigits({ perClass: 20 });
const TARGETS = Object.keys(ARTIFACT_TARGETS) as ArtifactTarget[];

function batch(ds: ImageDataset, step: number, n: number) {
  // 7919 is prime to the dataset size: batches walk a fixed permutation of the (class-sorted) digits.
  const b = selectExamples(ds, Array.from({ length: n }, (_, i) => ((step * n + i) * 7919) % ds.count));
  return { inputs: { input: { data: b.images, dims: [n, 1, 28, 28] } }, labels: { data: oneHot(b.labels, 10), dims: [n, 10] } };
}

async function lossCurve(artifacts: TrainingArtifacts, target: ArtifactTarget, steps: number): Promise<number[]> {
  const trainer = await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 1, target });
  expect(trainer.target).toBe(target);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { inputs, labels } = batch(digits, s, 16);
    losses.push((await trainer.trainStep(inputs, labels)).loss);
    await trainer.optimizerStep({ learningRate: 2e-3 });
    trainer.lazyResetGrad();
  }
  await trainer.release();
  return losses;
}

describe('artifact targets', () => {
  it('every target gives the same 20-step loss curve from one seed (AdamW, within 1e-5 per step)', async () => {
    const artifacts = generateArtifacts(buildSeedCnn({ seed: 4 }), { optimizer: 'adamw' });
    const curves = new Map<ArtifactTarget, number[]>();
    for (const target of TARGETS) curves.set(target, await lossCurve(artifacts, target, 20));
    const portable = curves.get('portable')!;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(portable.slice(15))).toBeLessThan(mean(portable.slice(0, 5)) - 0.3); // it really trains
    for (const target of TARGETS) {
      const curve = curves.get(target)!;
      curve.forEach((loss, i) => expect(Math.abs(loss - portable[i]), `${target} step ${i}`).toBeLessThanOrEqual(1e-5));
    }
  });

  it('the cpu target keeps the names and the checkpoint of the portable one, and records its target', () => {
    const portable = generateArtifacts(buildSeedCnn({ seed: 4 }), { optimizer: 'adamw' });
    const cpu = portable.forTarget('cpu');
    expect(cpu.target).toBe('cpu');
    expect(portable.forTarget('portable')).toBe(portable);
    for (const key of ['trainingModel', 'evalModel', 'optimizerModel'] as const) {
      const names = (a: TrainingArtifacts) => [a[key].graph.inputs.map((v) => v.name), a[key].graph.outputs.map((v) => v.name)];
      expect(names(cpu)).toEqual(names(portable));
      expect(cpu[key].metadata['onnxkit.target']).toBe('cpu');
      expect(portable[key].metadata['onnxkit.target']).toBe('portable');
      expect(cpu[key].metadata['onnxkit.generator']).toMatch(/^onnxkit-artifacts \d+$/);
    }
    expect(Buffer.from(cpu.checkpoint).equals(Buffer.from(portable.checkpoint))).toBe(true);
    const ops = (a: TrainingArtifacts) => new Set(a.trainingModel.graph.nodes.map((n) => n.opType));
    expect(ops(cpu).has('MaxUnpool')).toBe(true);
    expect(ops(portable).has('MaxUnpool')).toBe(false);
    expect(portable.trainingModel.graph.nodes.some((n) => n.opType === 'MaxPool' && n.outputs.length > 1)).toBe(false);
  });

  it('Trainer.create runs the cpu target on the CPU, also after falling back from auto, and moves checkpoints between targets', async () => {
    const artifacts = generateArtifacts(buildSeedCnn({ seed: 5 }), { optimizer: 'adamw' });
    const onCpu = await Trainer.create(artifacts, { device: 'cpu' });
    expect([onCpu.device, onCpu.target]).toEqual(['cpu', 'cpu']);
    const { inputs, labels } = batch(digits, 0, 8);
    await onCpu.trainStep(inputs, labels);
    await onCpu.optimizerStep({ learningRate: 1e-3 });
    const saved = await onCpu.saveCheckpoint();
    const before = (await onCpu.evalStep(inputs, labels)).loss;
    await onCpu.release();

    const auto = await Trainer.create(artifacts, { device: 'auto' });
    expect(auto.device).toBe('cpu');
    expect(auto.target).toBe('cpu');
    // The fallbacks of the first start (cuda, and webgpu without a hardware adapter) are still
    // reported after the restart with the cpu target.
    expect(auto.fallbacks.map((f) => f.device)).toContain('cuda');
    expect(auto.fallbacks.map((f) => f.device)).not.toContain('cpu');
    await auto.release();

    const portable = await Trainer.create(artifacts, { device: 'cpu', target: 'portable' });
    expect(portable.target).toBe('portable');
    await portable.loadCheckpoint(saved);
    expect(portable.step).toBe(1);
    expect(Math.abs((await portable.evalStep(inputs, labels)).loss - before)).toBeLessThan(1e-6);
    await portable.release();
  });

  it('Trainer.create accepts an inference model and generates the artifacts for its device', async () => {
    const trainer = await Trainer.create(buildSeedCnn({ seed: 6 }), { device: 'cpu', artifacts: { optimizer: 'sgd' } });
    expect(trainer.target).toBe('cpu');
    expect(trainer.parameters.map((p) => p.name)).toContain('conv1.weight');
    await trainer.release();
  });

  it('artifacts read from files run as they are; a named target they cannot meet is refused', async () => {
    const files = encodeArtifacts(generateArtifacts(buildSeedCnn({ seed: 7 }), { optimizer: 'sgd' }));
    const set = {
      trainingModel: files['training_model.onnx'],
      evalModel: files['eval_model.onnx'],
      optimizerModel: files['optimizer_model.onnx'],
      checkpoint: files.checkpoint,
    };
    const trainer = await Trainer.create(set, { device: 'cpu' });
    expect(trainer.target).toBe('portable');
    await trainer.release();
    await expect(Trainer.create(set, { device: 'cpu', target: 'cpu' })).rejects.toThrow(/formulated for target 'portable'.*\{ target: 'cpu' \}/);
    await expect(Trainer.create(set, { device: 'cpu', target: 'fast' as ArtifactTarget })).rejects.toThrow(RangeError);
    const cpuFiles = encodeArtifacts(generateArtifacts(buildSeedCnn({ seed: 7 }), { optimizer: 'sgd', target: 'cpu' }));
    expect(decodeModel(cpuFiles['training_model.onnx']).metadata['onnxkit.target']).toBe('cpu');
    expect(() => generateArtifacts(buildSeedCnn({ seed: 7 }), { target: 'gpu' as ArtifactTarget })).toThrow(/'target' must be one of 'portable', 'cpu'/);
  });
});

describe('Relu/MaxPool commutation (cpu target training graph)', () => {
  it('moves each Relu that feeds only a MaxPool after it, and leaves shared ones alone', () => {
    const model = buildSeedCnn({ seed: 1 });
    const graph = structuredClone(model.graph);
    expect(commuteReluMaxPool(graph)).toBe(2);
    const order = graph.nodes.map((n) => n.opType);
    expect(order.slice(0, 3)).toEqual(['Conv', 'MaxPool', 'Relu']);
    // A Relu output that is also a graph output is not moved.
    const shared = structuredClone(model.graph);
    const relu = shared.nodes.find((n) => n.opType === 'Relu')!;
    shared.outputs.push({ name: relu.outputs[0] });
    expect(commuteReluMaxPool(shared)).toBe(1);
  });
});

/**
 * A convolution whose floor-mode pool leaves outputs unread (on a 12×11 input: 10×9 outputs, of which
 * a 3×3 pool by 2 reads 9×9), one that feeds no pool, and a padded one before a pool that must stay as
 * it is.
 */
function croppable(): Model {
  const b = new GraphBuilder({ opset: 17 });
  const weights = (name: string, dims: number[]) => {
    const n = dims.reduce((a, d) => a * d, 1);
    b.initializer(name, 'float32', dims, Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + dims[0]) * 0.4));
  };
  weights('c1.w', [4, 2, 3, 3]);
  weights('c2.w', [5, 4, 2, 2]);
  weights('c3.w', [3, 5, 3, 3]);
  weights('fc.w', [3, 6]);
  const x = b.input('x', 'float32', ['N', 2, 12, 11]);
  const c1 = b.op('Conv', [x, 'c1.w'], { kernel_shape: [3, 3] });
  const p1 = b.op('MaxPool', [b.op('Relu', [c1])], { kernel_shape: [3, 3], strides: [2, 2] }); // 4×4 from 10×9
  const c2 = b.op('Conv', [p1, 'c2.w']); // reads all of p1, so a crop of c1 that cut too much changes its output
  const c3 = b.op('Conv', [b.op('Pad', [c2, b.constant('pads', 'int64', [8], [0, 0, 4, 1, 0, 0, 4, 1])]), 'c3.w'], { strides: [2, 1], pads: [1, 1, 1, 1] });
  const p3 = b.op('MaxPool', [c3], { kernel_shape: [2, 2], strides: [2, 2] });
  const flat = b.op('Flatten', [b.op('GlobalAveragePool', [p3])]);
  b.output(b.op('Softmax', [b.op('MatMul', [flat, 'fc.w'])], { axis: 1 }, { output: 'probabilities' }), 'float32', ['N', 6]);
  return b.build();
}

describe('convolutions cropped to what their MaxPool reads (cpu target training graph)', () => {
  it('crops only unpadded convolutions feeding a floor-mode MaxPool, to the rows and columns it reads', () => {
    const seed = structuredClone(buildSeedCnn({ seed: 1 }).graph);
    commuteReluMaxPool(seed);
    const seedShapes = new Map<string, number[]>([['input', [8, 1, 28, 28]], ['pool1_out', [8, 32, 13, 13]], ['conv2.weight', [64, 32, 3, 3]], ['conv1.weight', [32, 1, 3, 3]]]);
    expect(cropConvolutionsToPool(seed, (n) => seedShapes.get(n))).toBe(1);
    const crops = seed.nodes.filter((n) => n.opType === 'Slice' && n.name.endsWith('_crop'));
    // conv2's 11×11 map is pooled 2×2 by 2 into 5×5, which reads 10×10: its 13×13 input is cut to 12×12.
    expect(crops.map((n) => n.outputs[0])).toEqual(['conv2_cropped']);
    const ends = seed.initializers.find((t) => t.name === crops[0].inputs[2])!;
    expect(Array.from(ends.data as BigInt64Array, Number)).toEqual([12, 12]);
    const graph = structuredClone(croppable().graph);
    commuteReluMaxPool(graph);
    const shapes = new Map<string, number[]>([['x', [8, 2, 12, 11]], ['c1.w', [4, 2, 3, 3]]]);
    // The padded c3 is left alone whatever its input's size; c1's input is 12×11, read as 11×11.
    expect(cropConvolutionsToPool(graph, (n) => shapes.get(n) ?? [8, 5, 12, 5])).toBe(1);
    const slice = graph.nodes.find((n) => n.opType === 'Slice')!;
    expect(Array.from(graph.initializers.find((t) => t.name === slice.inputs[2])!.data as BigInt64Array, Number)).toEqual([11, 11]);
    expect(portableGraphCrops()).toBe(0);
  });

  it('gives the same gradients as the uncropped portable graph', async () => {
    const artifacts = generateArtifacts(croppable(), { optimizer: 'sgd' });
    const n = 5;
    const inputs = { x: { data: Float32Array.from({ length: n * 2 * 12 * 11 }, (_, i) => Math.cos(i * 0.37)), dims: [n, 2, 12, 11] } };
    const labels = { data: oneHot(Int32Array.from({ length: n }, (_, i) => i % 6), 6), dims: [n, 6] };
    const gradients = async (target: ArtifactTarget) => {
      const trainer = await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 1, target, dataParallel: 1 });
      const before = await trainer.getContiguousParameters();
      const { loss } = await trainer.trainStep(inputs, labels);
      await trainer.optimizerStep({ learningRate: 1 });
      const after = await trainer.getContiguousParameters();
      await trainer.release();
      return { loss, step: before.map((v, i) => v - after[i]) };
    };
    const cpu = await gradients('cpu');
    const portable = await gradients('portable');
    expect(cpu.loss).toBeCloseTo(portable.loss, 6);
    const scale = Math.max(...portable.step.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    cpu.step.forEach((g, i) => expect(Math.abs(g - portable.step[i]), `parameter value ${i}`).toBeLessThanOrEqual(1e-6 * scale));
    const cpuGraph = generateArtifacts(croppable(), { target: 'cpu' }).trainingModel.graph;
    expect(cpuGraph.nodes.filter((node) => node.name.endsWith('_crop')).length).toBe(1);
  });
});

function portableGraphCrops(): number {
  return generateArtifacts(buildSeedCnn({ seed: 1 }), { target: 'portable' }).trainingModel.graph.nodes.filter((n) => n.name.endsWith('_crop')).length;
}

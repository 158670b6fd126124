import { describe, expect, it } from 'vitest';
import { buildSeedCnn, generateArtifacts, GraphBuilder, oneHot, Trainer, type ArtifactTarget, type Model } from '@onnxkit/node';
import { commuteReluMaxPool } from '../../packages/core/src/train/artifacts/commute-relu-pool.js';
import { convPoolAsPhaseGemms, MAX_PHASE_TAPS } from '../../packages/core/src/train/artifacts/pool-phases.js';

// The cpu target's Conv + MaxPool pairs with few input channels, trained as one GEMM per pool phase.

interface PairSpec {
  channels: number;
  size: [number, number];
  kernel: number;
  pool: number;
  bias: boolean;
  /** A second convolution after the pool whose own 2×2 pool leaves rows unread (so its input is cropped). */
  cropAfter: boolean;
}

function pairModel(s: PairSpec): Model {
  const b = new GraphBuilder({ opset: 17 });
  const weights = (name: string, dims: number[]) => {
    const n = dims.reduce((a, d) => a * d, 1);
    b.initializer(name, 'float32', dims, Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + dims[0] + (dims[1] ?? 0)) * 0.5));
  };
  weights('c1.w', [4, s.channels, s.kernel, s.kernel]);
  if (s.bias) weights('c1.b', [4]);
  const x = b.input('x', 'float32', ['N', s.channels, ...s.size]);
  const c1 = b.op('Conv', s.bias ? [x, 'c1.w', 'c1.b'] : [x, 'c1.w'], { kernel_shape: [s.kernel, s.kernel] });
  let y = b.op('MaxPool', [b.op('Relu', [c1])], { kernel_shape: [s.pool, s.pool], strides: [s.pool, s.pool] });
  if (s.cropAfter) {
    weights('c2.w', [3, 4, 2, 2]);
    y = b.op('MaxPool', [b.op('Relu', [b.op('Conv', [y, 'c2.w'])])], { kernel_shape: [2, 2], strides: [2, 2] });
  }
  const flat = b.op('Flatten', [b.op('GlobalAveragePool', [y])]);
  weights('fc.w', [s.cropAfter ? 3 : 4, 5]);
  b.output(b.op('Softmax', [b.op('MatMul', [flat, 'fc.w'])], { axis: 1 }, { output: 'probabilities' }), 'float32', ['N', 5]);
  return b.build();
}

/** One SGD step's parameter change and the loss, per target; inputs with zero regions make ties. */
async function step(model: Model, target: ArtifactTarget, inputs: { data: Float32Array; dims: number[] }) {
  const artifacts = generateArtifacts(model, { optimizer: 'sgd' });
  const n = inputs.dims[0];
  const labels = { data: oneHot(Int32Array.from({ length: n }, (_, i) => i % 5), 5), dims: [n, 5] };
  const trainer = await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 1, target, dataParallel: 1 });
  const before = await trainer.getContiguousParameters();
  const { loss } = await trainer.trainStep({ x: inputs }, labels);
  await trainer.optimizerStep({ learningRate: 1 });
  const after = await trainer.getContiguousParameters();
  await trainer.release();
  return { loss, step: before.map((v, i) => v - after[i]) };
}

function tiedInput(s: PairSpec, n: number): { data: Float32Array; dims: number[] } {
  const dims = [n, s.channels, ...s.size];
  const count = dims.reduce((a, d) => a * d, 1);
  // The left half of every image is zero: each window there ties at the bias (or 0) in all phases.
  const width = s.size[1];
  return { dims, data: Float32Array.from({ length: count }, (_, i) => (i % width < width / 2 ? 0 : Math.cos(i * 0.37))) };
}

describe('Conv + MaxPool as phase GEMMs (cpu target)', () => {
  it('rewrites the seed CNN\'s conv1 + pool1: no window positions, no scatter, pooled only to what conv2 reads', () => {
    const graph = generateArtifacts(buildSeedCnn({ seed: 1 }), { target: 'cpu' }).trainingModel.graph;
    expect(graph.nodes.some((n) => n.opType === 'Conv' && n.inputs[0] === 'input')).toBe(false);
    const gemms = graph.nodes.filter((n) => n.opType === 'Gemm' && n.name.startsWith('conv1_'));
    expect(gemms).toHaveLength(4);
    expect(graph.nodes.filter((n) => n.opType === 'Max')).toHaveLength(1);
    // pool1's 13×13 would be cropped to the 12×12 conv2 reads: the phases pool 12×12, and no crop is left.
    const pooled = graph.initializers.find((t) => t.name === 'conv1_pooled_shape')!;
    expect(Array.from(pooled.data as BigInt64Array, Number)).toEqual([32, -1, 12, 12]);
    expect(graph.nodes.filter((n) => n.name.endsWith('_crop'))).toHaveLength(0);
    // Only pool2 still needs its positions and its scatter.
    expect(graph.nodes.filter((n) => n.opType === 'SpaceToDepth')).toHaveLength(1);
    expect(graph.nodes.filter((n) => n.opType === 'MaxUnpool')).toHaveLength(1);
    expect(generateArtifacts(buildSeedCnn({ seed: 1 }), { target: 'portable' }).trainingModel.graph.nodes.some((n) => n.opType === 'Max')).toBe(false);
  });

  it('leaves the pair alone when the input\'s gradient is asked for (inputGradients)', () => {
    const graph = generateArtifacts(buildSeedCnn({ seed: 1 }), { target: 'cpu', inputGradients: true }).trainingModel.graph;
    expect(graph.nodes.filter((n) => n.opType === 'Max')).toHaveLength(0);
    expect(graph.nodes.some((n) => n.opType === 'Conv' && n.inputs[0] === 'input')).toBe(true);
  });

  const specs: [string, PairSpec][] = [
    ['1 channel, 3×3, 2×2 pool, bias', { channels: 1, size: [12, 12], kernel: 3, pool: 2, bias: true, cropAfter: false }],
    ['1 channel, odd 11×9 input (the pool drops a row and a column)', { channels: 1, size: [11, 9], kernel: 3, pool: 2, bias: true, cropAfter: false }],
    ['3 channels (RGB), no bias, followed by a cropped convolution', { channels: 3, size: [14, 14], kernel: 3, pool: 2, bias: false, cropAfter: true }],
    ['1 channel, 3×3 pool', { channels: 1, size: [13, 13], kernel: 3, pool: 3, bias: true, cropAfter: false }],
    ['2 channels, 2×2 kernel, 2×2 pool, cropped after', { channels: 2, size: [15, 15], kernel: 2, pool: 2, bias: true, cropAfter: true }],
  ];
  for (const [name, spec] of specs) {
    it(`gives the portable target's loss and gradients, ties included: ${name}`, async () => {
      const model = pairModel(spec);
      expect(generateArtifacts(model, { target: 'cpu' }).trainingModel.graph.nodes.filter((n) => n.opType === 'Max')).toHaveLength(1);
      const inputs = tiedInput(spec, 6);
      const cpu = await step(model, 'cpu', inputs);
      const portable = await step(model, 'portable', inputs);
      expect(cpu.loss).toBeCloseTo(portable.loss, 6);
      const scale = Math.max(...portable.step.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      // A step is the difference of two float32 parameters below 1 in size: it is known to 1.2e-7 at best.
      cpu.step.forEach((g, i) => expect(Math.abs(g - portable.step[i]), `parameter value ${i}`).toBeLessThanOrEqual(1e-6 * scale + 1.2e-7));
    });
  }

  it('leaves padded, strided, many-channel and overlapping-pool pairs, and pools with Indices, as they are', () => {
    const cases: [string, (b: GraphBuilder, x: string) => string, number][] = [
      ['padded', (b, x) => b.op('MaxPool', [b.op('Conv', [x, 'w'], { pads: [1, 1, 1, 1] })], { kernel_shape: [2, 2], strides: [2, 2] }), 1],
      ['strided', (b, x) => b.op('MaxPool', [b.op('Conv', [x, 'w'], { strides: [2, 2] })], { kernel_shape: [2, 2], strides: [2, 2] }), 1],
      ['overlapping pool', (b, x) => b.op('MaxPool', [b.op('Conv', [x, 'w'])], { kernel_shape: [3, 3], strides: [2, 2] }), 1],
      ['too many taps', (b, x) => b.op('MaxPool', [b.op('Conv', [x, 'w'])], { kernel_shape: [2, 2], strides: [2, 2] }), 4],
      ['conv output read twice', (b, x) => {
        const c = b.op('Conv', [x, 'w']);
        return b.op('Add', [b.op('MaxPool', [c], { kernel_shape: [2, 2], strides: [2, 2] }), b.op('ReduceMean', [c], { axes: [2, 3], keepdims: 1 })]);
      }, 1],
    ];
    for (const [name, make, channels] of cases) {
      const b = new GraphBuilder({ opset: 17 });
      b.initializer('w', 'float32', [2, channels, 3, 3], new Float32Array(2 * channels * 9));
      const x = b.input('x', 'float32', ['N', channels, 12, 12]);
      b.output(make(b, x), 'float32');
      const graph = b.build().graph;
      const shapes = new Map<string, number[]>([['x', [4, channels, 12, 12]], ['w', [2, channels, 3, 3]]]);
      expect(convPoolAsPhaseGemms(graph, (n) => shapes.get(n)), name).toBe(0);
    }
    expect(4 * 16).toBeGreaterThan(MAX_PHASE_TAPS);
    const withIndices = new GraphBuilder({ opset: 17 });
    withIndices.initializer('w', 'float32', [2, 1, 3, 3], new Float32Array(18));
    const x = withIndices.input('x', 'float32', ['N', 1, 12, 12]);
    const c = withIndices.op('Conv', [x, 'w']);
    const [pooled, indices] = withIndices.node('MaxPool', [c], { kernel_shape: [2, 2], strides: [2, 2] }, { outputs: 2 });
    withIndices.output(pooled, 'float32');
    withIndices.output(indices, 'int64');
    const graph = withIndices.build().graph;
    commuteReluMaxPool(graph);
    expect(convPoolAsPhaseGemms(graph, (n) => (n === 'x' ? [4, 1, 12, 12] : n === 'w' ? [2, 1, 3, 3] : undefined))).toBe(0);
  });
});

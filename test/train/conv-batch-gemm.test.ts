import { describe, expect, it } from 'vitest';
import { buildSeedCnn, generateArtifacts, GraphBuilder, oneHot, Trainer, type ArtifactTarget, type Model } from '@onnxkit/node';
import { convAsBatchGemm, MAX_BATCH_GEMM_POSITIONS } from '../../packages/core/src/train/artifacts/conv-batch-gemm.js';

// The cpu target's convolutions with small outputs, trained as one GEMM over the whole batch.

interface ConvSpec {
  channels: number;
  size: [number, number];
  outChannels: number;
  kernel: [number, number];
  attributes: Record<string, number[] | string>;
  bias: boolean;
}

/** A trainable 1×1 convolution (left as it is), then the convolution under test, so that its input gradient is used. */
function convModel(s: ConvSpec): Model {
  const b = new GraphBuilder({ opset: 17 });
  const weights = (name: string, dims: number[]) => {
    const n = dims.reduce((a, d) => a * d, 1);
    b.initializer(name, 'float32', dims, Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + dims[0] + (dims[1] ?? 0)) * 0.5));
  };
  weights('pre.w', [s.channels, s.channels, 1, 1]);
  weights('c.w', [s.outChannels, s.channels, ...s.kernel]);
  if (s.bias) weights('c.b', [s.outChannels]);
  const x = b.input('x', 'float32', ['N', s.channels, ...s.size]);
  const pre = b.op('Relu', [b.op('Conv', [x, 'pre.w'])]);
  const c = b.op('Conv', s.bias ? [pre, 'c.w', 'c.b'] : [pre, 'c.w'], { kernel_shape: s.kernel, ...s.attributes });
  const flat = b.op('Flatten', [b.op('Relu', [c])]);
  const features = b.op('ReduceMean', [flat], { axes: [1], keepdims: 1 });
  weights('fc.w', [1, 5]);
  b.output(b.op('Softmax', [b.op('Add', [b.op('MatMul', [features, 'fc.w']), b.op('MatMul', [b.op('Slice', [flat, 'five_start', 'five_end', 'five_axes']), 'mix.w'])])], { axis: 1 }, { output: 'probabilities' }), 'float32', ['N', 5]);
  b.initializer('five_start', 'int64', [1], BigInt64Array.of(0n));
  b.initializer('five_end', 'int64', [1], BigInt64Array.of(5n));
  b.initializer('five_axes', 'int64', [1], BigInt64Array.of(1n));
  weights('mix.w', [5, 5]);
  return b.build();
}

/** One SGD step's parameter change and the loss on one target. */
async function step(model: Model, target: ArtifactTarget, s: ConvSpec, n: number) {
  const artifacts = generateArtifacts(model, { optimizer: 'sgd' });
  const dims = [n, s.channels, ...s.size];
  const data = Float32Array.from({ length: dims.reduce((a, d) => a * d, 1) }, (_, i) => Math.cos(i * 0.37));
  const labels = { data: oneHot(Int32Array.from({ length: n }, (_, i) => i % 5), 5), dims: [n, 5] };
  const trainer = await Trainer.create(artifacts, { device: 'cpu', intraOpNumThreads: 1, target, dataParallel: 1 });
  const before = await trainer.getContiguousParameters();
  const { loss } = await trainer.trainStep({ x: { data, dims } }, labels);
  await trainer.optimizerStep({ learningRate: 1 });
  const after = await trainer.getContiguousParameters();
  await trainer.release();
  return { loss, step: before.map((v, i) => v - after[i]) };
}

describe('small convolutions as one GEMM over the batch (cpu target)', () => {
  it("rewrites the seed CNN's conv3 (3×3 output) and leaves conv2 (10×10) a Conv; the portable target keeps both", () => {
    const cpu = generateArtifacts(buildSeedCnn({ seed: 1 }), { target: 'cpu' }).trainingModel.graph;
    expect(cpu.nodes.some((n) => n.opType === 'Conv' && n.name === 'conv3')).toBe(false);
    expect(cpu.nodes.filter((n) => n.opType === 'Gemm' && n.name.startsWith('conv3_'))).toHaveLength(1);
    expect(cpu.nodes.some((n) => n.opType === 'Conv' && n.name === 'conv2')).toBe(true);
    // Nothing of conv3's backward runs per image any more: no ConvTranspose of its output gradient.
    expect(cpu.nodes.filter((n) => n.opType === 'ConvTranspose')).toHaveLength(1);
    const im2col = cpu.initializers.find((t) => t.name === 'conv3_im2col')!;
    expect(im2col.dims).toEqual([81, 25]);
    expect((im2col.data as Float32Array).reduce((a, v) => a + v, 0)).toBe(81);
    const portable = generateArtifacts(buildSeedCnn({ seed: 1 }), { target: 'portable' }).trainingModel.graph;
    expect(portable.nodes.some((n) => n.opType === 'Conv' && n.name === 'conv3')).toBe(true);
  });

  const specs: [string, ConvSpec][] = [
    ['3×3 on 5×5 with bias (the seed CNN\'s conv3)', { channels: 6, size: [5, 5], outChannels: 32, kernel: [3, 3], attributes: {}, bias: true }],
    ['padded and strided, no bias', { channels: 3, size: [6, 6], outChannels: 40, kernel: [3, 3], attributes: { pads: [1, 1, 1, 1], strides: [2, 2] }, bias: false }],
    ['dilated 2×2', { channels: 2, size: [5, 5], outChannels: 32, kernel: [2, 2], attributes: { dilations: [2, 2] }, bias: true }],
    ['2×1 kernel, SAME_UPPER (uneven pads)', { channels: 2, size: [4, 4], outChannels: 16, kernel: [2, 1], attributes: { auto_pad: 'SAME_UPPER' }, bias: true }],
  ];
  for (const [name, spec] of specs) {
    it(`gives the portable target's loss and gradients: ${name}`, async () => {
      const model = convModel(spec);
      const graph = generateArtifacts(model, { target: 'cpu' }).trainingModel.graph;
      expect(graph.nodes.filter((n) => n.opType === 'Conv').map((n) => n.inputs[1])).toEqual(['pre.w']);
      const cpu = await step(model, 'cpu', spec, 6);
      const portable = await step(model, 'portable', spec, 6);
      expect(cpu.loss).toBeCloseTo(portable.loss, 6);
      const scale = Math.max(...portable.step.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      // pre.w (the first parameter) moves: its gradient comes through the rewritten convolution's input gradient.
      const pre = portable.step.slice(0, spec.channels * spec.channels);
      expect(Math.max(...pre.map(Math.abs))).toBeGreaterThan(1e-3 * scale);
      cpu.step.forEach((g, i) => expect(Math.abs(g - portable.step[i]), `parameter value ${i}`).toBeLessThanOrEqual(1e-6 * scale + 1.2e-7));
    });
  }

  it('leaves grouped, 1×1, large-output, few-output-channel and non-float32 convolutions as they are', () => {
    const cases: [string, number[], number[], Record<string, number>][] = [
      ['grouped', [4, 2, 3, 3], [2, 4, 5, 5], { group: 2 }],
      ['1×1', [32, 4, 1, 1], [2, 4, 5, 5], {}],
      ['output over the limit', [64, 4, 3, 3], [2, 4, 9, 9], {}],
      ['more input pixels than output channels', [16, 4, 3, 3], [2, 4, 5, 5], {}],
    ];
    for (const [name, w, x, attributes] of cases) {
      const b = new GraphBuilder({ opset: 17 });
      b.initializer('w', 'float32', w, new Float32Array(w.reduce((a, d) => a * d, 1)));
      const input = b.input('x', 'float32', ['N', ...x.slice(1)]);
      b.output(b.op('Conv', [input, 'w'], attributes), 'float32');
      const graph = b.build().graph;
      const shapes = new Map<string, number[]>([['x', x], ['w', w]]);
      expect(convAsBatchGemm(graph, (n) => shapes.get(n)), name).toBe(0);
    }
    // float16 weights (the one-hot matrix is float32), and weights computed in the graph, whose type is not declared.
    for (const computed of [false, true]) {
      const b = new GraphBuilder({ opset: 17 });
      b.initializer('w', 'float16', [32, 4, 3, 3], new Uint16Array(32 * 36));
      const input = b.input('x', 'float16', ['N', 4, 5, 5]);
      const weights = computed ? b.op('Identity', ['w']) : 'w';
      b.output(b.op('Conv', [input, weights]), 'float16');
      const graph = b.build().graph;
      const shapes = new Map<string, number[]>([['x', [2, 4, 5, 5]], [weights, [32, 4, 3, 3]]]);
      expect(convAsBatchGemm(graph, (n) => shapes.get(n)), computed ? 'computed' : 'float16').toBe(0);
    }
    // The same convolution with float32 weights is rewritten.
    const float32 = new GraphBuilder({ opset: 17 });
    float32.initializer('w', 'float32', [32, 4, 3, 3], new Float32Array(32 * 36));
    float32.output(float32.op('Conv', [float32.input('x', 'float32', ['N', 4, 5, 5]), 'w']), 'float32');
    expect(convAsBatchGemm(float32.build().graph, (n) => (n === 'x' ? [2, 4, 5, 5] : [32, 4, 3, 3]))).toBe(1);
    expect(7 * 7).toBeGreaterThan(MAX_BATCH_GEMM_POSITIONS);
  });
});

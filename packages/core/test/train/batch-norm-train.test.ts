import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeModel, float, GraphBuilder, type Dim, type Model } from '@onnxkit/core';
import { decodeCheckpoint } from '../../src/train/artifacts/checkpoint.js';
import { generateArtifacts } from '../../src/train/artifacts/generate.js';
import { run, seeded, type Arr } from './artifacts-helpers.js';

/*
 * batchNorm 'train' on small models whose BatchNormalization reads a graph input, so every number has
 * an independent reference: the forward's running statistics against float64 arithmetic here and
 * against ORT's own training-mode BatchNormalization kernel, the gradients (parameters and the input,
 * which is dX of the batch-statistics rule) against central differences of the training graph's loss.
 */
const C = 4;
const CLASSES = 3;

/** x → BatchNormalization (momentum `momentum`) → Sigmoid → GlobalAveragePool → Flatten → Gemm. */
function bnModel(xShape: Dim[], momentum?: number): Model {
  const b = new GraphBuilder({ opset: 17, name: 'bn_train' });
  b.initializer('bn.weight', 'float32', [C], seeded(C, 1, 0.8, 1.2));
  b.initializer('bn.bias', 'float32', [C], seeded(C, 2, -0.1, 0.1));
  b.initializer('bn.running_mean', 'float32', [C], seeded(C, 3, -0.1, 0.1));
  b.initializer('bn.running_var', 'float32', [C], seeded(C, 4, 0.5, 1.5));
  b.initializer('fc.weight', 'float32', [CLASSES, C], seeded(CLASSES * C, 5));
  b.initializer('fc.bias', 'float32', [CLASSES], seeded(CLASSES, 6, -0.1, 0.1));
  const x = b.input('x', 'float32', xShape);
  const y = b.op('BatchNormalization', [x, 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'], {
    epsilon: float(1e-3),
    ...(momentum !== undefined ? { momentum: float(momentum) } : {}),
  });
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [b.op('Sigmoid', [y])])], { axis: 1 });
  b.output(b.op('Gemm', [pooled, 'fc.weight', 'fc.bias'], { transB: 1 }), 'float32', [xShape[0], CLASSES]);
  return b.build();
}

const DIMS = [3, C, 3, 2];
/** Channels with an offset and spread of their own, so the batch statistics differ per channel. */
const X = Float32Array.from(seeded(3 * C * 6, 7, -1, 1), (v, i) => v * (1 + (Math.floor(i / 6) % C)) + 0.3 * (Math.floor(i / 6) % C));
const LABELS = Float32Array.from({ length: 9 }, (_, i) => (i % CLASSES === Math.floor(i / CLASSES) % CLASSES ? 1 : 0));

function feeds(model: Model, names: readonly string[], over: Record<string, Float32Array> = {}): Record<string, Arr> {
  const init = new Map(model.graph.initializers.map((t) => [t.name, t]));
  const out: Record<string, Arr> = { x: { data: over.x ?? X, dims: DIMS }, labels: { data: LABELS, dims: [3, CLASSES] } };
  for (const n of names) out[n] = { data: over[n] ?? (init.get(n)!.data as Float32Array), dims: init.get(n)!.dims };
  return out;
}

/** The running statistics after one forward in float64: m·running + (1 − m)·batch, unbiased variance. */
function expectedRunning(momentum: number): { mean: number[]; variance: number[] } {
  const rm = seeded(C, 3, -0.1, 0.1);
  const rv = seeded(C, 4, 0.5, 1.5);
  const mean: number[] = [];
  const variance: number[] = [];
  for (let c = 0; c < C; c++) {
    const v: number[] = [];
    for (let n = 0; n < 3; n++) for (let k = 0; k < 6; k++) v.push(X[(n * C + c) * 6 + k]);
    const mu = v.reduce((s, a) => s + a, 0) / v.length;
    const unbiased = v.reduce((s, a) => s + (a - mu) ** 2, 0) / (v.length - 1);
    mean.push(momentum * rm[c] + (1 - momentum) * mu);
    variance.push(momentum * rv[c] + (1 - momentum) * unbiased);
  }
  return { mean, variance };
}

const relError = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
};

// Static shapes, a symbolic batch with static spatial dims, and unknown spatial dims: the three ways
// the per-channel count M is formed (a constant, the batch counted once, counted from X).
const SHAPES: [string, Dim[]][] = [
  ['static', DIMS],
  ['symbolic batch', ['N', C, 3, 2]],
  ['unknown spatial', ['N', C, 'H', 'W']],
];

describe("generateArtifacts batchNorm 'train'", () => {
  it.each(SHAPES)('%s: updated running statistics match float64 and ORT’s training-mode kernel', async (_, shape) => {
    const model = bnModel(shape, 0.8);
    const art = generateArtifacts(model, { batchNorm: 'train' });
    expect(art.summary.batchNorm).toBe('train');
    expect(art.summary.runningStatistics).toEqual([
      { name: 'bn.running_mean', dims: [C] },
      { name: 'bn.running_var', dims: [C] },
    ]);
    const g = art.trainingModel.graph;
    expect(g.inputs.map((v) => v.name)).toEqual(['x', 'labels', 'bn.weight', 'bn.bias', 'fc.weight', 'fc.bias', 'bn.running_mean', 'bn.running_var']);
    expect(g.outputs.map((v) => v.name)).toEqual(['loss', 'bn.weight_grad', 'bn.bias_grad', 'fc.weight_grad', 'fc.bias_grad', 'bn.running_mean.new', 'bn.running_var.new']);
    expect(g.nodes.some((n) => n.opType === 'BatchNormalization' && n.attributes.training_mode)).toBe(false);
    expect(art.evalModel.graph.inputs.map((v) => v.name)).toContain('bn.running_var');

    const out = await run(art.trainingModel, feeds(model, [...art.summary.trainable.map((t) => t.name), 'bn.running_mean', 'bn.running_var']));
    const want = expectedRunning(0.8);
    expect(relError(out['bn.running_mean.new'].data, want.mean)).toBeLessThan(1e-6);
    expect(relError(out['bn.running_var.new'].data, want.variance)).toBeLessThan(1e-6);

    // ORT's CPU kernel (it runs training mode when the statistics are graph outputs) updates the running
    // variance with the population variance, as ONNX's reference does: M/(M − 1) apart from ours.
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', 'float32', DIMS);
    for (const n of ['s', 'b', 'm', 'v']) b.input(n, 'float32', [C]);
    b.node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], { epsilon: float(1e-3), momentum: float(0.8), training_mode: 1 }, { outputs: ['y', 'rm', 'rv'] });
    for (const o of ['y', 'rm', 'rv']) b.output(o, 'float32');
    const session = await ort.InferenceSession.create(encodeModel(b.build()));
    const t = (d: Float32Array, dims: number[]) => new ort.Tensor('float32', d, dims);
    const ref = await session.run({ x: t(X, DIMS), s: t(seeded(C, 1, 0.8, 1.2), [C]), b: t(seeded(C, 2, -0.1, 0.1), [C]), m: t(seeded(C, 3, -0.1, 0.1), [C]), v: t(seeded(C, 4, 0.5, 1.5), [C]) });
    expect(relError(out['bn.running_mean.new'].data, ref.rm.data as Float32Array)).toBeLessThan(1e-6);
    const m = 18;
    const rv0 = seeded(C, 4, 0.5, 1.5);
    const ortUnbiased = Array.from(ref.rv.data as Float32Array, (v, c) => 0.8 * rv0[c] + (v - 0.8 * rv0[c]) * (m / (m - 1)));
    expect(relError(out['bn.running_var.new'].data, ortUnbiased)).toBeLessThan(1e-6);
  });

  it.each(SHAPES)('%s: gradients of the parameters and of the input match central differences', async (_, shape) => {
    const model = bnModel(shape);
    const art = generateArtifacts(model, { batchNorm: 'train', inputGradients: true });
    const names = [...art.summary.trainable.map((t) => t.name), 'bn.running_mean', 'bn.running_var'];
    const base = await run(art.trainingModel, feeds(model, names));
    const eps = 1e-2;
    let worst = 0;
    for (const [wrt, values] of [['x', X], ...names.slice(0, 4).map((n) => [n, model.graph.initializers.find((t) => t.name === n)!.data as Float32Array] as const)] as const) {
      const grad = base[`${wrt}_grad`].data;
      for (let i = 0; i < values.length; i += wrt === 'x' ? 5 : 1) {
        const at = async (delta: number) => {
          const v = values.slice();
          v[i] += delta;
          return (await run(art.trainingModel, feeds(model, names, { [wrt]: v }))).loss.data[0];
        };
        const fd = ((await at(eps)) - (await at(-eps))) / (2 * eps);
        worst = Math.max(worst, Math.abs(grad[i] - fd) / (2e-3 + 2e-3 * Math.abs(fd)));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it("keeps the running statistics in the checkpoint (format 3) and the node's momentum unless overridden", async () => {
    const model = bnModel(['N', C, 3, 2], 0.8);
    const art = generateArtifacts(model, { batchNorm: 'train', batchNormMomentum: 0.5 });
    expect(new DataView(art.checkpoint.buffer, art.checkpoint.byteOffset).getUint32(8, true)).toBe(3);
    const ckpt = decodeCheckpoint(art.checkpoint);
    expect(ckpt.buffers?.map((t) => t.name)).toEqual(['bn.running_mean', 'bn.running_var']);
    expect(ckpt.buffers?.[1].data).toEqual(seeded(C, 4, 0.5, 1.5));
    expect(ckpt.parameters.map((t) => t.name)).toEqual(['bn.weight', 'bn.bias', 'fc.weight', 'fc.bias']);
    // Buffers came with format 3: a file claiming format 2 that lists one is refused.
    const relabelled = art.checkpoint.slice();
    relabelled[8] = 2;
    expect(() => decodeCheckpoint(relabelled)).toThrow(/tensor 'bn.running_mean' has role buffer/);
    const out = await run(art.trainingModel, feeds(model, [...ckpt.parameters.map((t) => t.name), 'bn.running_mean', 'bn.running_var']));
    expect(relError(out['bn.running_mean.new'].data, expectedRunning(0.5).mean)).toBeLessThan(1e-6);
    // Frozen artifacts keep format 2 and the statistics constant.
    const frozen = generateArtifacts(model);
    expect(new DataView(frozen.checkpoint.buffer, frozen.checkpoint.byteOffset).getUint32(8, true)).toBe(2);
    expect(frozen.summary.runningStatistics).toEqual([]);
    expect(frozen.trainingModel.graph.initializers.map((t) => t.name)).toContain('bn.running_var');
  });

  it('refuses what batch statistics cannot do, naming the problem', () => {
    expect(() => generateArtifacts(bnModel(DIMS), { batchNorm: 'batch' as never })).toThrow(/'batchNorm' must be 'frozen' or 'train'/);
    expect(() => generateArtifacts(bnModel(DIMS), { batchNormMomentum: 0.9 })).toThrow(/applies to batchNorm 'train' only/);
    expect(() => generateArtifacts(bnModel(DIMS), { batchNorm: 'train', batchNormMomentum: 1.5 })).toThrow(RangeError);
    expect(() => generateArtifacts(bnModel(DIMS), { batchNorm: 'train', batchNormMomentum: '0.9' as never })).toThrow(TypeError);
    // One value per channel (batch 1, 1×1): PyTorch refuses it too.
    expect(() => generateArtifacts(bnModel([1, C, 1, 1]), { batchNorm: 'train' })).toThrow(/1 value per channel/);
    const shared = bnModel(DIMS);
    const bn = shared.graph.nodes[0];
    shared.graph.nodes.splice(1, 0, { ...bn, name: 'bn2', inputs: [bn.outputs[0], ...bn.inputs.slice(1)], outputs: ['y2'] });
    shared.graph.nodes[2].inputs[0] = 'y2';
    expect(() => generateArtifacts(shared, { batchNorm: 'train' })).toThrow(/'bn.running_mean' is shared by/);
  });
});

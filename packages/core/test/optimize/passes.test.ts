import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, float, GraphBuilder, optimizeModel, Random, type Model } from '@onnxkit/core';
import { buildBnVariant, BN_VARIANT_BUFFERS, BN_VARIANT_PARAMETERS } from '../../../../test/reference/bn-variant.js';
import { mnist8Path, repoRoot } from '../../../../test/support/paths.js';

const rng = new Random(7);
const randn = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);

async function run(model: Model, feeds: Record<string, Float32Array>, dims: Record<string, number[]>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) inputs[k] = new ort.Tensor('float32', v, dims[k]);
    const out = await session.run(inputs);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const images = (n: number) => ({ input: Float32Array.from({ length: n * 784 }, () => rng.next()) });

describe('fuse-conv-bn', () => {
  it('folds both BatchNormalizations of the BN variant into their Convs, outputs equal', async () => {
    const values: Record<string, Float32Array> = {};
    for (const p of [...BN_VARIANT_PARAMETERS, ...BN_VARIANT_BUFFERS]) {
      const n = p.shape.reduce((a, b) => a * b, 1);
      values[p.name] = p.name.endsWith('running_var') ? Float32Array.from(randn(n), (v) => 0.5 + Math.abs(v)) : randn(n, 0.5);
    }
    const model = buildBnVariant(values);
    const before = JSON.stringify(model.graph.nodes.map((n) => n.opType));
    const result = optimizeModel(model);
    expect(JSON.stringify(model.graph.nodes.map((n) => n.opType))).toBe(before); // input untouched
    expect(result.model.graph.nodes.map((n) => n.opType)).not.toContain('BatchNormalization');
    expect(result.passes.find((p) => p.pass === 'fuse-conv-bn')!.changed).toBe(2);
    // conv2 had no bias: the fused Conv gets one.
    expect(result.model.graph.nodes.filter((n) => n.opType === 'Conv').every((n) => n.inputs.length === 3)).toBe(true);
    const feeds = images(8);
    const dims = { input: [8, 1, 28, 28] };
    const [a, b] = [await run(model, feeds, dims), await run(result.model, feeds, dims)];
    expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-4);
  });
});

describe('fold-constants, remove-identity', () => {
  /** A graph with everything exporters leave behind: Constants, a weight Transpose, a computed Reshape target, Identity and Dropout. */
  function exporterStyleModel(): Model {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', 'float32', ['N', 2, 3, 4]);
    const wT = b.initializer('w_t', 'float32', [5, 24], randn(120));
    const w = b.op('Transpose', [wT], { perm: [1, 0] });
    const two = b.op('Constant', [], { value: { name: '', dtype: 'int64', dims: [1], data: BigInt64Array.from([24n]) } });
    const shapeOfW = b.op('Shape', [w]);
    const first = b.op('Gather', [shapeOfW, b.constant('zero', 'int64', [1], [0])], { axis: 0 });
    const target = b.op('Concat', [b.constant('minus1', 'int64', [1], [-1]), two], { axis: 0 });
    const check = b.op('Cast', [first], { to: 1 });
    const flat = b.op('Reshape', [b.op('Identity', [x]), target]);
    const dropped = b.op('Dropout', [flat, b.constant('ratio', 'float32', [], [0.5])]);
    const y = b.op('MatMul', [dropped, w]);
    const scaled = b.op('Mul', [y, b.op('Div', [check, b.constant('c24', 'float32', [1], [24])])]);
    const bias = b.op('Add', [b.op('Sqrt', [b.constant('four', 'float32', [5], [4, 4, 4, 4, 4])]), b.constant('one', 'float32', [], [1])]);
    b.output(b.op('Identity', [b.op('Add', [scaled, bias], {}, { output: 'pre' })], {}, { output: 'y' }), 'float32', ['N', 5]);
    return b.build();
  }

  it('computes the constant subgraphs, removes Identity/Dropout, outputs equal', async () => {
    const model = exporterStyleModel();
    const result = optimizeModel(model);
    const ops = result.model.graph.nodes.map((n) => n.opType);
    expect(ops).toEqual(['Reshape', 'MatMul', 'Mul', 'Add']);
    expect(result.model.graph.outputs.map((o) => o.name)).toEqual(['y']);
    const feeds = { x: randn(3 * 24) };
    const dims = { x: [3, 2, 3, 4] };
    const [a, b] = [await run(model, feeds, dims), await run(result.model, feeds, dims)];
    expect(maxAbsDiff(a.y, b.y)).toBe(0);
  });

  it('folds the constant weight Reshape of mnist-8 (a CNTK export), outputs equal', async () => {
    const model = decodeModel(readFileSync(mnist8Path));
    const result = optimizeModel(model);
    expect(result.nodesAfter).toBeLessThan(result.nodesBefore);
    expect(result.passes.find((p) => p.pass === 'fold-constants')!.notes.join()).toMatch(/Reshape/);
    const feeds = { Input3: images(1).input };
    const dims = { Input3: [1, 1, 28, 28] };
    const [a, b] = [await run(model, feeds, dims), await run(result.model, feeds, dims)];
    expect(maxAbsDiff(a.Plus214_Output_0, b.Plus214_Output_0)).toBe(0);
  });
});

describe('shipped models', () => {
  const shipped = ['mnist-cnn', 'fashion-cnn'].map((n) => path.join(repoRoot, 'models/onnx', `${n}.onnx`)).filter(existsSync);

  it.each(shipped)('%s: default passes keep the outputs; logits mode drops the Softmax and keeps the argmax', async (file) => {
    const model = decodeModel(readFileSync(file));
    const feeds = images(16);
    const dims = { input: [16, 1, 28, 28] };
    const original = await run(model, feeds, dims);
    const same = await run(optimizeModel(model).model, feeds, dims);
    expect(maxAbsDiff(original.probabilities, same.probabilities)).toBe(0);

    const result = optimizeModel(model, { logits: true });
    expect(result.model.graph.outputs.map((o) => o.name)).toEqual(['logits']);
    expect(result.model.graph.nodes.map((n) => n.opType)).not.toContain('Softmax');
    expect(result.model.metadata).toEqual(model.metadata);
    const { logits } = await run(result.model, feeds, dims);
    for (let i = 0; i < 16; i++) {
      const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
      const max = Math.max(...row);
      const exp = row.map((v) => Math.exp(v - max));
      const sum = exp.reduce((s, v) => s + v, 0);
      exp.forEach((e, k) => expect(e / sum).toBeCloseTo(original.probabilities[i * 10 + k], 5));
    }
  });
});

describe('optimizeModel arguments', () => {
  it('names the known passes for an unknown one', () => {
    const b = new GraphBuilder();
    b.output(b.op('Relu', [b.input('x', 'float32', [1])]), 'float32', [1]);
    expect(() => optimizeModel(b.build(), { passes: ['fold'] })).toThrow(/unknown pass 'fold'; known passes: .*fold-constants/);
    expect(() => optimizeModel(b.build(), { logits: 3 as unknown as boolean })).toThrow(TypeError);
  });

  it('leaves a Softmax that is not a graph output, and keeps a kept Dropout mask', () => {
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', 'float32', ['N', 4]);
    const [d, mask] = b.node('Dropout', [x], {}, { outputs: 2 });
    const s = b.op('Softmax', [d], { axis: float(1) as never });
    b.output(b.op('Relu', [s]), 'float32', ['N', 4]);
    b.output(mask, 'bool', ['N', 4]);
    const result = optimizeModel(b.build(), { logits: true });
    expect(result.model.graph.nodes.map((n) => n.opType)).toEqual(['Dropout', 'Softmax', 'Relu']);
  });
});

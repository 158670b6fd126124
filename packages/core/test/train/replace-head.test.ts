import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildSeedCnn, decodeModel, encodeModel, findHead, GraphBuilder, headParameters, replaceHead, validateModel, type Model } from '@onnxkit/core';

const repoRoot = path.resolve(__dirname, '../../../..');
const mnist8 = decodeModel(new Uint8Array(readFileSync(path.resolve(repoRoot, '../shared/fixtures/models/mnist-onnx/mnist-8.onnx'))));

async function run(model: Model, input: string, dims: number[]): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  const out = await session.run({ [input]: new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.5), dims) });
  await session.release();
  return Object.values(out)[0];
}

describe('replaceHead / headParameters', () => {
  it('finds the seed CNN head (Gemm transB=1 before Softmax) and swaps in a seeded N-way layer', async () => {
    const model = buildSeedCnn({ seed: 1 });
    expect(headParameters(model)).toEqual(['fc2.weight', 'fc2.bias']);
    const head = findHead(model.graph);
    expect(head).toMatchObject({ kind: 'gemm', transposed: true, features: 64, classes: 10, chain: ['fc2_out', 'probabilities'] });

    const a = replaceHead(model, { classes: 4, seed: 7, labels: ['a', 'b', 'c', 'd'] });
    const b = replaceHead(model, { classes: 4, seed: 7 });
    expect(a).toMatchObject({ parameters: ['fc2.weight', 'fc2.bias'], previousClasses: 10, classes: 4 });
    validateModel(a.model);
    const weight = a.model.graph.initializers.find((t) => t.name === 'fc2.weight')!;
    expect(weight.dims).toEqual([4, 64]);
    // Glorot uniform: |w| <= sqrt(6 / (64 + 4)); the bias starts at zero; the same seed gives the same head.
    expect(Math.max(...Array.from(weight.data as Float32Array, Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 68));
    expect(Array.from(a.model.graph.initializers.find((t) => t.name === 'fc2.bias')!.data as Float32Array)).toEqual([0, 0, 0, 0]);
    expect(b.model.graph.initializers.find((t) => t.name === 'fc2.weight')!.data).toEqual(weight.data);
    expect(a.model.graph.outputs[0].type).toMatchObject({ shape: ['N', 4] });
    expect(a.model.metadata['onnxkit.labels']).toBe('["a","b","c","d"]');
    // Everything else is shared and the input model is untouched.
    expect(a.model.graph.initializers.find((t) => t.name === 'conv1.weight')).toBe(model.graph.initializers.find((t) => t.name === 'conv1.weight'));
    expect(model.graph.initializers.find((t) => t.name === 'fc2.weight')!.dims).toEqual([10, 64]);
    expect(model.graph.outputs[0].type).toMatchObject({ shape: ['N', 10] });

    const out = await run(a.model, 'input', [3, 1, 28, 28]);
    expect(out.dims).toEqual([3, 4]);
    expect([...(out.data as Float32Array).subarray(0, 4)].reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('handles a MatMul + Add head whose weight is a Reshape of an initializer (mnist-8, IR 3)', async () => {
    expect(headParameters(mnist8)).toEqual(['Parameter193', 'Parameter194']);
    const { model, parameters } = replaceHead(mnist8, { classes: 5 });
    expect(parameters).toEqual(['Parameter193', 'Parameter194']);
    const byName = new Map(model.graph.initializers.map((t) => [t.name, t]));
    expect(byName.get('Parameter193')!.dims).toEqual([256, 5]);
    expect(byName.get('Parameter194')!.dims).toEqual([1, 5]);
    // The Reshape that fed the old weight is gone with its shape constant.
    expect(byName.has('Parameter193_reshape1_shape')).toBe(false);
    expect(model.graph.nodes.length).toBe(mnist8.graph.nodes.length - 1);
    expect(model.graph.inputs.find((v) => v.name === 'Parameter193')?.type).toMatchObject({ shape: [256, 5] });
    const out = await run(model, 'Input3', [1, 1, 28, 28]);
    expect(out.dims).toEqual([1, 5]);
  });

  it('refuses models whose output is not a dense layer, and bad options', () => {
    const b = new GraphBuilder({ opset: 17 });
    b.input('x', 'float32', ['N', 4]);
    b.output(b.op('Relu', ['x'], {}, { output: 'y' }), 'float32', ['N', 4]);
    expect(() => replaceHead(b.build(), { classes: 3 })).toThrow(/findHead: output 'y' does not come from a dense layer .*found Relu/);
    const model = buildSeedCnn();
    expect(() => replaceHead(model, { classes: 1 })).toThrow(RangeError);
    expect(() => replaceHead(model, { classes: 3, labels: ['a'] })).toThrow(/'labels' must be 3 strings/);
    expect(() => replaceHead(model, { classes: 3, output: 'nope' })).toThrow(/'nope' is not a model output/);
    expect(() => replaceHead(null as unknown as Model, { classes: 3 })).toThrow(TypeError);
  });
});

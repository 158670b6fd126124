import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildSeedCnn, encodeModel, findHead, headOnFeatures, splitAtHead } from '@onnxkit/core';

describe('headOnFeatures', () => {
  it('puts one fresh dense layer and a Softmax on a [N, D] value; the layers after it go', async () => {
    const model = buildSeedCnn({ seed: 1 });
    const fc2 = findHead(model.graph);
    const fc1 = model.graph.nodes.find((n) => n.opType === 'Gemm' && n !== fc2.node)!;
    const fc1Input = fc1.inputs[0];
    const features = model.graph.initializers.find((t) => t.name === fc1.inputs[1])!.dims[1];
    const { model: cut, parameters, classes } = headOnFeatures(model, { features: fc1Input, classes: 4, seed: 2, labels: ['a', 'b', 'c', 'd'] });
    expect(parameters).toEqual(['head.weight', 'head.bias']);
    expect(classes).toBe(4);
    expect(cut.graph.initializers.map((t) => t.name)).not.toContain('fc1.weight');
    expect(cut.graph.initializers.find((t) => t.name === 'head.weight')!.dims).toEqual([4, features]);
    expect(JSON.parse(cut.metadata['onnxkit.labels'])).toEqual(['a', 'b', 'c', 'd']);
    // The new head is what splitAtHead cuts off again: the backbone ends at the chosen value.
    expect(splitAtHead(cut).featureValue).toBe(fc1Input);
    const session = await ort.InferenceSession.create(encodeModel(cut));
    const out = (await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 784).fill(0.5), [2, 1, 28, 28]) }))[cut.graph.outputs[0].name];
    expect(out.dims).toEqual([2, 4]);
    const p = out.data as Float32Array;
    expect(p[0] + p[1] + p[2] + p[3]).toBeCloseTo(1, 5);
    await session.release();
  });

  it('refuses a value that is not a [N, D] matrix, or not in the model', () => {
    const model = buildSeedCnn({ seed: 1 });
    const conv = model.graph.nodes.find((n) => n.opType === 'Conv')!.outputs[0];
    expect(() => headOnFeatures(model, { features: conv, classes: 3 })).toThrow(/must be a \[N, D\] matrix/);
    expect(() => headOnFeatures(model, { features: 'nope', classes: 3 })).toThrow(/not a value/);
    expect(() => headOnFeatures(model, { features: conv, classes: 1 })).toThrow(RangeError);
  });
});

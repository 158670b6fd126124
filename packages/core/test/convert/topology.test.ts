import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertKerasModel, encodeModel, parseModelGraph, type KerasModel, type WeightValue } from '@onnxkit/core';

const tensor = (layer: string, node = 0, index = 0) => ({ class_name: '__keras_tensor__', config: { shape: [null, 3], dtype: 'float32', keras_history: [layer, node, index] } });

/** A Keras 3 Functional config: a Dense layer shared by two inputs (two calls), then Add and softmax. */
const keras3Shared = {
  module: 'keras',
  class_name: 'Functional',
  config: {
    name: 'shared',
    layers: [
      { module: 'keras.layers', class_name: 'InputLayer', name: 'a', config: { batch_shape: [null, 3], dtype: 'float32', name: 'a' }, inbound_nodes: [] },
      { module: 'keras.layers', class_name: 'InputLayer', name: 'b', config: { batch_shape: [null, 3], dtype: 'float32', name: 'b' }, inbound_nodes: [] },
      {
        module: 'keras.layers',
        class_name: 'Dense',
        name: 'proj',
        config: { name: 'proj', units: 2, activation: 'linear', use_bias: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } } },
        inbound_nodes: [{ args: [tensor('a')], kwargs: {} }, { args: [tensor('b')], kwargs: {} }],
      },
      {
        module: 'keras.layers',
        class_name: 'Add',
        name: 'sum',
        config: { name: 'sum' },
        inbound_nodes: [{ args: [[tensor('proj', 0), tensor('proj', 1)]], kwargs: {} }],
      },
      { module: 'keras.layers', class_name: 'Activation', name: 'probs', config: { name: 'probs', activation: 'softmax' }, inbound_nodes: [{ args: [tensor('sum')], kwargs: {} }] },
    ],
    input_layers: [['a', 0, 0], ['b', 0, 0]],
    output_layers: ['probs', 0, 0],
  },
};

const kernel = [1, -1, 0.5, 2, -0.5, 0]; // [3, 2]
const bias = [0.1, -0.2];
const weights = new Map<string, WeightValue[]>([
  ['proj', [{ name: '0', shape: [3, 2], data: Float32Array.from(kernel) }, { name: '1', shape: [2], data: Float32Array.from(bias) }]],
]);

describe('topology parsing', () => {
  it('reads Keras 3 Functional configs: __keras_tensor__ arguments, shared layers, bare output_layers', () => {
    const g = parseModelGraph(keras3Shared);
    expect(g.kind).toBe('Functional');
    expect(g.inputs.map((i) => [i.name, i.shape])).toEqual([['a', [null, 3]], ['b', [null, 3]]]);
    expect(g.calls.map((c) => `${c.layer.name}#${c.node}(${c.inputs.map((r) => `${r.layer}#${r.node}`).join(',')})`)).toEqual([
      'proj#0(a#0)',
      'proj#1(b#0)',
      'sum#0(proj#0,proj#1)',
      'probs#0(sum#0)',
    ]);
    expect(g.outputs).toEqual([{ layer: 'probs', node: 0, index: 0 }]);
  });

  it('converts a shared layer once (one set of initializers) and computes both calls', async () => {
    const source: KerasModel = { format: 'keras-json', kerasVersion: '3.6.0', config: keras3Shared, weights: { layer: (n) => weights.get(n) } };
    const { model, inputs, outputs } = convertKerasModel(source);
    expect(inputs.map((i) => i.name)).toEqual(['a', 'b']);
    expect(outputs).toEqual([{ name: 'probs', shape: ['N', 2] }]);
    expect(model.graph.initializers.map((t) => t.name)).toEqual(['proj/kernel', 'proj/bias']);
    const a = [1, 2, 3];
    const b = [-1, 0, 2];
    const dense = (x: number[]) => [0, 1].map((j) => x.reduce((s, xi, i) => s + xi * kernel[i * 2 + j], bias[j]));
    const z = dense(a).map((v, j) => v + dense(b)[j]);
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    const expected = e.map((v) => v / (e[0] + e[1]));
    const session = await ort.InferenceSession.create(encodeModel(model));
    const out = await session.run({ a: new ort.Tensor('float32', Float32Array.from(a), [1, 3]), b: new ort.Tensor('float32', Float32Array.from(b), [1, 3]) });
    const got = Array.from(out.probs.data as Float32Array);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    await session.release();
  });

  it('Subtract takes the second input from the first (a layer TF.js lacks, checked by hand)', async () => {
    const config = structuredClone(keras3Shared);
    config.config.layers[3].class_name = 'Subtract';
    config.config.layers[4].config.activation = 'linear';
    const { model } = convertKerasModel({ format: 'keras-json', config, weights: { layer: (n) => weights.get(n) } });
    const session = await ort.InferenceSession.create(encodeModel(model));
    const a = Float32Array.from([1, 2, 3]);
    const b = Float32Array.from([-1, 0, 2]);
    const out = await session.run({ a: new ort.Tensor('float32', a, [1, 3]), b: new ort.Tensor('float32', b, [1, 3]) });
    // proj(a) − proj(b) = (a − b)·kernel (the biases cancel).
    const diff = [2, 2, 1];
    const expected = [0, 1].map((j) => diff.reduce((s, d, i) => s + d * kernel[i * 2 + j], 0));
    Array.from(out.probs.data as Float32Array).forEach((v, j) => expect(v).toBeCloseTo(expected[j], 6));
    await session.release();
  });

  it('reads the Keras ≤ 2.1 Sequential form (a bare layer list) and names the input after the first layer', () => {
    const g = parseModelGraph({
      class_name: 'Sequential',
      config: [
        { class_name: 'Flatten', config: { name: 'flat', batch_input_shape: [null, 2, 2] } },
        { class_name: 'Dense', config: { name: 'out', units: 1 } },
      ],
    });
    expect(g.inputs).toEqual([{ name: 'flat_input', shape: [null, 2, 2], dtype: 'float32', ref: { layer: 'flat_input', node: 0, index: 0 } }]);
    expect(g.calls.map((c) => c.layer.name)).toEqual(['flat', 'out']);
  });

  it('rejects malformed configs naming what is wrong', () => {
    expect(() => parseModelGraph({ class_name: 'Sequential', config: { layers: [] } })).toThrow(/the Sequential model has no layers/);
    expect(() => parseModelGraph({ class_name: 'MyModel', config: {} })).toThrow(/a subclassed model has no convertible topology/);
    const dangling = structuredClone(keras3Shared);
    dangling.config.layers[3].inbound_nodes = [{ args: [[tensor('proj', 0), tensor('ghost', 0)]], kwargs: {} }];
    expect(() => parseModelGraph(dangling)).toThrow("layer 'sum' reads 'ghost' call 0, which the model does not have");
  });
});

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Model } from '@onnxkit/core';
import { inferShapes } from '../../src/onnx/shape-inference/index.js';
import { bind, exposeIntermediates, ortOutputDims, randomFloats } from './helpers.js';

type Flatten = 'flatten' | 'reshape' | 'shape-of';

/**
 * The DESIGN CNN (Conv32 → pool → Conv64 → pool → Conv64 → flatten → Dense64 → Dense10 → softmax)
 * on an NHWC input with a symbolic batch, flattened three ways: Flatten, Reshape to [-1, 576], and
 * the PyTorch export pattern Shape → Gather → Unsqueeze → Concat → Reshape.
 */
function designCnn(flatten: Flatten, opset = 17): Model {
  const b = new GraphBuilder({ opset });
  const x = b.input('image', 'float32', ['N', 28, 28, 1]);
  let seed = 1;
  const param = (name: string, dims: number[]) => b.initializer(name, 'float32', dims, randomFloats(dims.reduce((p, q) => p * q, 1), seed++));
  const convRelu = (input: string, cin: number, cout: number, i: number) =>
    b.op('Relu', [b.op('Conv', [input, param(`conv${i}.w`, [cout, cin, 3, 3]), param(`conv${i}.b`, [cout])], { kernel_shape: [3, 3] })]);
  const pool = (input: string) => b.op('MaxPool', [input], { kernel_shape: [2, 2], strides: [2, 2] });
  let h = b.op('Transpose', [x], { perm: [0, 3, 1, 2] });
  h = pool(convRelu(h, 1, 32, 1));
  h = pool(convRelu(h, 32, 64, 2));
  h = convRelu(h, 64, 64, 3);
  if (flatten === 'flatten') h = b.op('Flatten', [h], { axis: 1 });
  else if (flatten === 'reshape') h = b.op('Reshape', [h, b.constant('flat', 'int64', [2], [-1, 576])]);
  else {
    const batch = b.op('Gather', [b.op('Shape', [h]), b.constant('zero', 'int64', [], [0])], { axis: 0 });
    const target = b.op('Concat', [b.op('Unsqueeze', [batch, b.constant('axes0', 'int64', [1], [0])]), b.constant('minus1', 'int64', [1], [-1])], { axis: 0 });
    h = b.op('Reshape', [h, target]);
  }
  h = b.op('Relu', [b.op('Gemm', [h, param('fc1.w', [64, 576]), param('fc1.b', [64])], { transB: 1 })]);
  h = b.op('Gemm', [h, param('fc2.w', [10, 64]), param('fc2.b', [10])], { transB: 1 });
  // Declared without a shape, so the output's shape is inferred, not copied.
  b.output(b.op('Softmax', [h], { axis: -1 }, { output: 'probs' }), 'float32');
  return b.build();
}

describe('symbolic batch dims through a CNN', () => {
  it.each<Flatten>(['flatten', 'reshape', 'shape-of'])('keeps N through the whole network (%s)', async (flatten) => {
    const model = designCnn(flatten);
    const types = inferShapes(model, { strict: true });
    const shapeOf = (name: string) => {
      const t = types.get(name);
      return t?.kind === 'tensor' ? t.shape : undefined;
    };
    const gemms = model.graph.nodes.filter((n) => n.opType === 'Gemm').map((n) => n.outputs[0]);
    const convs = model.graph.nodes.filter((n) => n.opType === 'Conv').map((n) => n.outputs[0]);
    expect(convs.map(shapeOf)).toEqual([['N', 32, 26, 26], ['N', 64, 11, 11], ['N', 64, 3, 3]]);
    expect(gemms.map(shapeOf)).toEqual([['N', 64], ['N', 10]]);
    expect(shapeOf('probs')).toEqual(['N', 10]);

    // Every inferred shape, with N bound to the batch ORT runs, is what ORT produces.
    const batch = 3;
    const feeds = { image: new ort.Tensor('float32', randomFloats(batch * 28 * 28), [batch, 28, 28, 1]) };
    const actual = await ortOutputDims(exposeIntermediates(model, types), feeds);
    for (const [name, dims] of actual) expect(bind(shapeOf(name), { N: batch }), name).toEqual(dims);
  });

  it('inputShapes pins the batch size', () => {
    const types = inferShapes(designCnn('reshape'), { inputShapes: { image: [8, 28, 28, 1] } });
    expect(types.get('probs')).toEqual({ kind: 'tensor', dtype: 'float32', shape: [8, 10] });
  });

  it('inputShapes rejects a name that is not a graph input', () => {
    expect(() => inferShapes(designCnn('flatten'), { inputShapes: { images: [1, 28, 28, 1] } })).toThrow(RangeError);
    expect(() => inferShapes(designCnn('flatten'), { inputShapes: { images: [1, 28, 28, 1] } })).toThrow(/'images'/);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, float, GraphBuilder, type Model } from '@onnxkit/core';
import { learnableInitializers, selectTrainable } from '../../src/train/artifacts/select-trainable.js';
import { forwardGraph } from '../../src/train/artifacts/forward-graph.js';
import { fixtures, maxRelError, run, seeded } from './artifacts-helpers.js';

/** Conv → BN → Relu → Pad → Clip → Reshape → MatMul → Add, plus a second head on a side weight. */
function mixedModel(): Model {
  const b = new GraphBuilder({ opset: 17, name: 'mixed' });
  const x = b.input('x', 'float32', ['N', 1, 4, 4]);
  b.initializer('conv.w', 'float32', [2, 1, 3, 3], seeded(18, 1));
  b.initializer('conv.b', 'float32', [2], [0.1, -0.1]);
  b.initializer('bn.scale', 'float32', [2], [1, 1.5]);
  b.initializer('bn.bias', 'float32', [2], [0, 0.2]);
  b.initializer('bn.mean', 'float32', [2], [0.05, -0.05]);
  b.initializer('bn.var', 'float32', [2], [1, 2]);
  b.initializer('pad.pads', 'int64', [8], [0, 0, 1, 1, 0, 0, 1, 1]);
  b.initializer('pad.value', 'float32', [], [0]);
  b.initializer('clip.max', 'float32', [], [6]);
  b.initializer('flat.shape', 'int64', [2], [-1, 32]);
  b.initializer('fc.w', 'float32', [32, 3], seeded(96, 2));
  b.initializer('fc.b', 'float32', [3], [0, 0, 0]);
  b.initializer('side.w', 'float32', [32, 2], seeded(64, 3));
  const conv = b.op('Conv', [x, 'conv.w', 'conv.b'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  const bn = b.op('BatchNormalization', [conv, 'bn.scale', 'bn.bias', 'bn.mean', 'bn.var']);
  const padded = b.op('Pad', [b.op('Relu', [bn]), 'pad.pads', 'pad.value']);
  const clipped = b.op('Clip', [padded, '', 'clip.max']);
  const flat = b.op('Reshape', [clipped, 'flat.shape']);
  b.output(b.op('Add', [b.op('MatMul', [flat, 'fc.w']), 'fc.b'], {}, { output: 'logits' }), 'float32', ['N', 3]);
  b.output(b.op('MatMul', [flat, 'side.w'], {}, { output: 'side' }), 'float32', ['N', 2]);
  return b.build();
}

const names = (ts: { name: string }[]) => ts.map((t) => t.name);

describe('trainable-parameter selection', () => {
  const model = mixedModel();
  const all = new Set(model.graph.initializers.map((t) => t.name));

  it('defaults to learnable float initializers the loss depends on', () => {
    expect(names(learnableInitializers(model.graph, 'logits', all))).toEqual(['conv.w', 'conv.b', 'bn.scale', 'bn.bias', 'fc.w', 'fc.b']);
    expect(names(learnableInitializers(model.graph, 'side', all))).toEqual(['conv.w', 'conv.b', 'bn.scale', 'bn.bias', 'side.w']);
  });

  it('applies trainable / frozen and names valid choices on a bad name', () => {
    const learnable = learnableInitializers(model.graph, 'logits', all);
    expect(selectTrainable(model.graph, learnable, undefined, ['conv.w', 'bn.mean'])).toEqual({
      trainable: learnable.filter((t) => !['conv.w'].includes(t.name)),
      frozen: ['conv.w'],
    });
    expect(names(selectTrainable(model.graph, learnable, ['fc.w', 'fc.b']).trainable)).toEqual(['fc.w', 'fc.b']);
    expect(() => selectTrainable(model.graph, learnable, ['bn.mean'])).toThrow(/'bn.mean' is not a learnable.*'conv.w', 'conv.b'/);
    expect(() => selectTrainable(model.graph, learnable, ['nope'])).toThrow(RangeError);
    expect(() => selectTrainable(model.graph, learnable, ['nope'])).toThrow(/valid names: 'conv.w'/);
    expect(() => selectTrainable(model.graph, learnable, undefined, ['nope'])).toThrow(/frozen 'nope' is not an initializer/);
    expect(() => selectTrainable(model.graph, learnable, ['fc.w'], ['fc.w'])).toThrow(/both/);
  });

  it('mnist-8: its Reshape shape initializers are not parameters', () => {
    const mnist = decodeModel(readFileSync(path.join(fixtures, 'models/mnist-onnx/mnist-8.onnx')));
    const inits = new Set(mnist.graph.initializers.map((t) => t.name));
    expect(names(learnableInitializers(mnist.graph, 'Plus214_Output_0', inits)).sort()).toEqual(
      ['Parameter193', 'Parameter194', 'Parameter5', 'Parameter6', 'Parameter87', 'Parameter88'].sort(),
    );
  });
});

describe('opset upgrade of the forward graph', () => {
  it('an opset-8 graph (attribute forms, coerced Softmax) computes the same at opset 17', async () => {
    const b = new GraphBuilder({ opset: 8, name: 'old' });
    const x = b.input('x', 'float32', [2, 3, 2, 2]);
    b.initializer('s', 'float32', [3], [1, 2, 0.5]);
    b.initializer('o', 'float32', [3], [0, 0.1, -0.1]);
    b.initializer('m', 'float32', [3], [0.1, 0, 0]);
    b.initializer('v', 'float32', [3], [1, 2, 3]);
    const bn = b.op('BatchNormalization', [x, 's', 'o', 'm', 'v'], { spatial: 1 });
    const clipped = b.op('Clip', [bn], { min: float(-0.5), max: float(0.8) });
    const padded = b.op('Pad', [clipped], { pads: [0, 0, 1, 0, 0, 0, 0, 1], value: float(0.25) });
    const dropped = b.op('Dropout', [padded], { ratio: 0.3 });
    const sq = b.op('Unsqueeze', [b.op('ReduceSum', [dropped], { axes: [3], keepdims: 0 })], { axes: [0] });
    const sliced = b.op('Slice', [b.op('Squeeze', [sq], { axes: [0] })], { starts: [0], ends: [2], axes: [2] });
    b.output(b.op('Softmax', [sliced], { axis: 1 }, { output: 'soft' }), 'float32', [2, 3, 2]);
    b.output(b.op('Softmax', [b.op('Relu', [sliced])], {}, { output: 'soft2' }), 'float32', [2, 3, 2]);
    b.output(b.op('LogSoftmax', [sliced], { axis: 2 }, { output: 'soft3' }), 'float32', [2, 3, 2]);
    const old = b.build();

    const { b: nb } = forwardGraph(old, 8, 17, { reserved: new Set(), trainable: [], extraInputs: [], rankOf: (n) => (n === sliced ? 3 : undefined) });
    nb.graph.outputs = old.graph.outputs.map((o) => ({ ...o }));
    const upgraded = nb.build();
    // Known last axis: one node kept; otherwise Flatten → op → Reshape.
    expect(upgraded.graph.nodes.filter((n) => n.opType === 'Flatten')).toHaveLength(2);
    expect(upgraded.opsetImports[0].version).toBe(17);
    const feeds = { x: { dims: [2, 3, 2, 2], data: seeded(24, 9) } };
    const want = await run(old, feeds);
    const got = await run(upgraded, feeds);
    for (const name of ['soft', 'soft2', 'soft3']) {
      expect(got[name].dims).toEqual(want[name].dims);
      expect(maxRelError(got[name].data, want[name].data)).toBeLessThan(1e-6);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Dim } from '@onnxkit/core';
import { ShapeInferenceError, annotateShapes, inferShapes } from '../../src/onnx/shape-inference/index.js';

function shapeOf(types: ReturnType<typeof inferShapes>, name: string): Dim[] | undefined {
  const t = types.get(name);
  return t?.kind === 'tensor' ? t.shape : undefined;
}

describe('symbolic broadcasting', () => {
  it.each<[Dim[], Dim[], Dim[]]>([
    [['N', 3], [3], ['N', 3]],
    [['N', 1], [1, 'M'], ['N', 'M']],
    [['N'], ['M'], [null]],
    [['N', 4], [1, 1, 4], [1, 'N', 4]],
    [[null, 4], [5, 1], [5, 4]],
    [['N', 3], ['N', 3], ['N', 3]],
  ])('%j + %j → %j', (a, b, expected) => {
    const g = new GraphBuilder();
    const out = g.op('Add', [g.input('a', 'float32', a), g.input('b', 'float32', b)]);
    expect(shapeOf(inferShapes(g.build()), out)).toEqual(expected);
  });
});

describe('inconsistent shapes name the node', () => {
  const cases: [string, (g: GraphBuilder) => void, RegExp][] = [
    ['Add of [2, 3] and [4]', (g) => g.op('Add', [g.input('a', 'float32', [2, 3]), g.input('b', 'float32', [4])], {}, { name: 'bad_add' }), /node 0 \(Add 'bad_add'\): cannot broadcast input shapes \[2, 3\] and \[4\]/],
    ['MatMul inner dims', (g) => g.op('MatMul', [g.input('a', 'float32', ['N', 3]), g.input('b', 'float32', [4, 5])], {}, { name: 'mm' }), /\(MatMul 'mm'\): inner dimensions differ: \[N, 3\] × \[4, 5\]/],
    ['Gemm inner dims', (g) => g.op('Gemm', [g.input('a', 'float32', [2, 3]), g.input('b', 'float32', [5, 4])], { transB: 1 }, { name: 'fc' }), /\(Gemm 'fc'\): inner dimensions differ/],
    ['Conv channels', (g) => g.op('Conv', [g.input('x', 'float32', ['N', 3, 8, 8]), g.input('w', 'float32', [4, 1, 3, 3])], {}, { name: 'c1' }), /\(Conv 'c1'\): input channels 3 do not match weight \[4, 1, 3, 3\]/],
    ['Reshape element count', (g) => g.op('Reshape', [g.input('x', 'float32', [2, 3]), g.constant('s', 'int64', [2], [4, 2])], {}, { name: 'r' }), /\(Reshape 'r'\): cannot reshape \[2, 3\] \(6 elements\) to \[4, 2\] \(8 elements\)/],
    ['Reshape -1 that cannot divide', (g) => g.op('Reshape', [g.input('x', 'float32', [2, 3]), g.constant('s', 'int64', [2], [4, -1])]), /cannot reshape \[2, 3\] to \[4, -1\]/],
    ['Concat other dims', (g) => g.op('Concat', [g.input('a', 'float32', [2, 3]), g.input('b', 'float32', [4, 5])], { axis: 0 }), /\(Concat '.*'\): inputs differ in dim 1/],
    ['Transpose perm', (g) => g.op('Transpose', [g.input('a', 'float32', [2, 3])], { perm: [0, 0] }), /perm \[0, 0\] is not a permutation/],
    ['Flatten axis out of range', (g) => g.op('Flatten', [g.input('a', 'float32', [2, 3])], { axis: 3 }), /axis 3 is out of range for rank 2/],
    ['Squeeze of a non-1 dim', (g) => g.op('Squeeze', [g.input('a', 'float32', [2, 3]), g.constant('ax', 'int64', [1], [0])]), /cannot squeeze dim 0 of \[2, 3\]/],
  ];
  it.each(cases)('%s', (_, build, message) => {
    const g = new GraphBuilder();
    build(g);
    const model = g.build();
    expect(() => inferShapes(model)).toThrow(ShapeInferenceError);
    expect(() => inferShapes(model)).toThrow(message);
  });

  it('carries the node in the error fields', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2, 3]);
    g.op('Relu', [x]);
    g.op('Add', [x, g.input('b', 'float32', [4])], {}, { name: 'second' });
    try {
      inferShapes(g.build());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ShapeInferenceError);
      expect(e).toMatchObject({ opType: 'Add', nodeName: 'second', nodeIndex: 1 });
    }
  });
});

describe('ops without a rule', () => {
  function model() {
    const g = new GraphBuilder({ extraOpsets: [{ domain: 'com.example', version: 1 }] });
    const x = g.input('x', 'float32', ['N', 4]);
    const y = g.op('FancyOp', [x], {}, { name: 'fancy', domain: 'com.example', output: 'fancy_out' });
    const z = g.op('Relu', [y], {}, { output: 'after' });
    g.op('Relu', [x], {}, { output: 'unaffected' });
    g.output(z, 'float32');
    return g.build();
  }

  it('leave their outputs (and what depends on them) untyped by default', () => {
    const types = inferShapes(model());
    expect(types.has('fancy_out')).toBe(false);
    // 'after' is a graph output declared float32, so it keeps its declared dtype, shape unknown.
    expect(types.get('after')).toEqual({ kind: 'tensor', dtype: 'float32' });
    expect(types.get('unaffected')).toEqual({ kind: 'tensor', dtype: 'float32', shape: ['N', 4] });
  });

  it('use a type the model declares in valueInfo', () => {
    const m = model();
    m.graph.valueInfo.push({ name: 'fancy_out', type: { kind: 'tensor', dtype: 'float32', shape: ['N', 8] } });
    const types = inferShapes(m);
    expect(types.get('after')).toEqual({ kind: 'tensor', dtype: 'float32', shape: ['N', 8] });
  });

  it('throw in strict mode, naming the op and the node', () => {
    expect(() => inferShapes(model(), { strict: true })).toThrow(ShapeInferenceError);
    expect(() => inferShapes(model(), { strict: true })).toThrow(/node 0 \(FancyOp 'fancy'\): no shape inference rule for op 'com\.example\.FancyOp'/);
  });
});

describe('annotateShapes', () => {
  it('fills valueInfo and shapeless outputs', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['N', 3, 8, 8]);
    const p = g.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, { output: 'pooled' });
    g.output(g.op('Flatten', [p], {}, { output: 'flat' }), 'float32');
    const annotated = annotateShapes(g.build());
    expect(annotated.graph.valueInfo).toEqual([{ name: 'pooled', type: { kind: 'tensor', dtype: 'float32', shape: ['N', 3, 4, 4] } }]);
    expect(annotated.graph.outputs).toEqual([{ name: 'flat', type: { kind: 'tensor', dtype: 'float32', shape: ['N', 48] } }]);
  });
});

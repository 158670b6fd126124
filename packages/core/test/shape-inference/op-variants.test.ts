import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, float, type Dim, type Model } from '@onnxkit/core';
import { inferShapes } from '../../src/onnx/shape-inference/index.js';
import { exposeIntermediates, ortOutputDims, randomFloats } from './helpers.js';

interface Variant {
  name: string;
  opset: number;
  /** Builds the graph on input `x` (float32 [2, 3, 4, 5]) and returns the value to check. */
  build: (b: GraphBuilder, x: string) => string;
  expected: Dim[];
  dtype?: string;
}

const ints = (b: GraphBuilder, hint: string, values: number[]) => b.constant(hint, 'int64', [values.length], values);

/** A Constant node (not an initializer) holding int64 values. */
const constantNode = (b: GraphBuilder, values: number[]) =>
  b.op('Constant', [], { value: { name: '', dtype: 'int64', dims: [values.length], data: BigInt64Array.from(values, BigInt) } });

const VARIANTS: Variant[] = [
  { name: 'Squeeze, axes attribute (opset 11)', opset: 11, build: (b, x) => b.op('Squeeze', [b.op('Unsqueeze', [x], { axes: [0, 3] })], { axes: [-3] }), expected: [1, 2, 3, 4, 5] },
  { name: 'Squeeze/Unsqueeze, axes input (opset 13)', opset: 13, build: (b, x) => b.op('Squeeze', [b.op('Unsqueeze', [x, ints(b, 'ax', [0, 3])]), ints(b, 'sq', [0])]), expected: [2, 3, 1, 4, 5] },
  { name: 'Squeeze without axes', opset: 13, build: (b, x) => b.op('Squeeze', [b.op('ReduceSum', [x, ints(b, 'ax', [1])])]), expected: [2, 4, 5] },
  { name: 'Slice, attributes (opset 9)', opset: 9, build: (b, x) => b.op('Slice', [x], { starts: [1, -3], ends: [100, -1], axes: [1, 3] }), expected: [2, 2, 4, 2] },
  { name: 'Slice, Constant-node inputs with steps (opset 13)', opset: 13, build: (b, x) => b.op('Slice', [x, constantNode(b, [-1, 0]), constantNode(b, [-1000, 5]), constantNode(b, [2, 1]), constantNode(b, [-1, 2])]), expected: [2, 2, 4, 5] },
  { name: 'Reshape with 0 and -1 from a Constant node', opset: 13, build: (b, x) => b.op('Reshape', [x, constantNode(b, [0, -1, 10])]), expected: [2, 6, 10] },
  { name: 'Reshape with allowzero=0 copy of dim 2', opset: 14, build: (b, x) => b.op('Reshape', [x, ints(b, 's', [-1, 0, 0])]), expected: [10, 3, 4] },
  { name: 'Pad, pads attribute (opset 2)', opset: 10, build: (b, x) => b.op('Pad', [x], { pads: [0, 1, 0, 2, 0, 0, 1, -1] }), expected: [2, 4, 5, 6] },
  { name: 'Pad, pads input (opset 13)', opset: 13, build: (b, x) => b.op('Pad', [x, ints(b, 'p', [0, 0, 1, 1, 0, 0, 1, 1])], { mode: 'reflect' }), expected: [2, 3, 6, 7] },
  { name: 'Pad with axes (opset 18)', opset: 18, build: (b, x) => b.op('Pad', [x, ints(b, 'p', [2, 3]), '', ints(b, 'a', [-1])]), expected: [2, 3, 4, 10] },
  { name: 'Flatten axis 2', opset: 13, build: (b, x) => b.op('Flatten', [x], { axis: 2 }), expected: [6, 20] },
  { name: 'Flatten axis 0', opset: 13, build: (b, x) => b.op('Flatten', [x], { axis: 0 }), expected: [1, 120] },
  { name: 'Transpose default perm', opset: 13, build: (b, x) => b.op('Transpose', [x]), expected: [5, 4, 3, 2] },
  { name: 'Concat negative axis', opset: 13, build: (b, x) => b.op('Concat', [x, b.op('Slice', [x, ints(b, 's', [0]), ints(b, 'e', [2]), ints(b, 'a', [3])])], { axis: -1 }), expected: [2, 3, 4, 7] },
  { name: 'MatMul 1-D × N-D', opset: 13, build: (b, x) => b.op('MatMul', [b.constant('v', 'float32', [4], [1, 2, 3, 4]), x]), expected: [2, 3, 5] },
  { name: 'MatMul N-D × 1-D', opset: 13, build: (b, x) => b.op('MatMul', [x, b.constant('v', 'float32', [5], [1, 2, 3, 4, 5])]), expected: [2, 3, 4] },
  { name: 'MatMul broadcast batch', opset: 13, build: (b, x) => b.op('MatMul', [b.constant('m', 'float32', [3, 1, 5], randomFloats(15)), b.op('Transpose', [x], { perm: [0, 1, 3, 2] })]), expected: [2, 3, 1, 4] },
  { name: 'Gemm transA with vector bias', opset: 13, build: (b, x) => b.op('Gemm', [b.op('Flatten', [x], { axis: 2 }), b.constant('w', 'float32', [6, 7], randomFloats(42)), b.constant('c', 'float32', [7], randomFloats(7))], { transA: 1, alpha: float(1) }), expected: [20, 7] },
  { name: 'ReduceMean keepdims=0, axes attribute (opset 17)', opset: 17, build: (b, x) => b.op('ReduceMean', [x], { axes: [1, -1], keepdims: 0 }), expected: [2, 4] },
  { name: 'ReduceMax axes input (opset 18)', opset: 18, build: (b, x) => b.op('ReduceMax', [x, ints(b, 'a', [2])]), expected: [2, 3, 1, 5] },
  { name: 'ReduceSum all axes', opset: 13, build: (b, x) => b.op('ReduceSum', [x], { keepdims: 0 }), expected: [] },
  { name: 'ArgMax', opset: 13, build: (b, x) => b.op('ArgMax', [x], { axis: -1, keepdims: 0 }), expected: [2, 3, 4], dtype: 'int64' },
  { name: 'Dropout mask output', opset: 13, build: (b, x) => b.node('Dropout', [x], {}, { outputs: 2 })[1], expected: [2, 3, 4, 5], dtype: 'bool' },
  { name: 'BatchNormalization', opset: 15, build: (b, x) => b.op('BatchNormalization', [x, ...['s', 'b', 'm', 'v'].map((n) => b.constant(n, 'float32', [3], [1, 1, 1]))]), expected: [2, 3, 4, 5] },
  { name: 'Cast to int32', opset: 13, build: (b, x) => b.op('Cast', [x], { to: 6 }), expected: [2, 3, 4, 5], dtype: 'int32' },
  { name: 'Quantize/Dequantize', opset: 13, build: (b, x) => b.op('DequantizeLinear', [b.op('QuantizeLinear', [x, b.constant('sc', 'float32', [], [0.1]), b.constant('zp', 'int8', [], [0])]), b.constant('sc2', 'float32', [], [0.1])]), expected: [2, 3, 4, 5] },
  { name: 'QuantizeLinear default uint8', opset: 13, build: (b, x) => b.op('QuantizeLinear', [x, b.constant('sc', 'float32', [], [0.1])]), expected: [2, 3, 4, 5], dtype: 'uint8' },
  { name: 'Where/Equal broadcast', opset: 13, build: (b, x) => b.op('Where', [b.op('Equal', [b.op('ArgMax', [x], { axis: 1 }), b.constant('z', 'int64', [], [0])]), x, b.constant('k', 'float32', [5], [0, 1, 2, 3, 4])]), expected: [2, 3, 4, 5] },
  { name: 'Sum/Max/Min variadic', opset: 13, build: (b, x) => b.op('Sum', [b.op('Max', [x, b.constant('o', 'float32', [5], [0, 0, 0, 0, 0])]), b.op('Min', [x, x]), b.constant('p', 'float32', [4, 1], [1, 2, 3, 4])]), expected: [2, 3, 4, 5] },
  { name: 'LeakyRelu/Sigmoid/Tanh/Exp/Log/Neg/Sqrt/Abs chain', opset: 13, build: (b, x) => ['LeakyRelu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Neg', 'Abs', 'Sqrt', 'Identity'].reduce((v, op) => b.op(op, [v]), x), expected: [2, 3, 4, 5] },
  { name: 'Shape with start/end (opset 15)', opset: 15, build: (b, x) => b.op('Shape', [x], { start: 1, end: -1 }), expected: [2], dtype: 'int64' },
  { name: 'Expand from Shape data', opset: 13, build: (b, x) => b.op('Expand', [b.constant('one', 'float32', [1, 1], [1]), b.op('Shape', [x])]), expected: [2, 3, 4, 5] },
  { name: 'ConstantOfShape from sliced Shape data', opset: 13, build: (b, x) => b.op('ConstantOfShape', [b.op('Slice', [b.op('Shape', [x]), ints(b, 's', [1]), ints(b, 'e', [3])])]), expected: [3, 4] },
];

async function ortDims(model: Model, types: ReturnType<typeof inferShapes>): Promise<Map<string, number[]>> {
  const feeds = { x: new ort.Tensor('float32', randomFloats(120).map((v) => Math.abs(v) + 0.5), [2, 3, 4, 5]) };
  return ortOutputDims(exposeIntermediates(model, types), feeds);
}

describe('op variants across opsets agree with ORT', () => {
  it.each(VARIANTS.map((v) => [v.name, v] as const))('%s', async (_, v) => {
    const b = new GraphBuilder({ opset: v.opset });
    const out = v.build(b, b.input('x', 'float32', [2, 3, 4, 5]));
    b.output(b.op('Identity', [out], {}, { output: 'result' }), 'float32');
    // Only the dtype is declared: the output's type must come from inference.
    b.graph.outputs[0].type = undefined;
    const model = b.build();
    const types = inferShapes(model, { strict: true });
    expect(types.get(out)).toEqual({ kind: 'tensor', dtype: v.dtype ?? 'float32', shape: v.expected });
    const actual = await ortDims(model, types);
    for (const [name, dims] of actual) {
      const t = types.get(name);
      expect(t?.kind === 'tensor' ? t.shape : undefined, name).toEqual(dims);
    }
  });
});

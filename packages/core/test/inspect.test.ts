import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder, decodeModel, elementCount, encodeModel } from '@onnxkit/core';
import { formatSummary, inspect } from '../src/onnx/inspect/index.js';

const repoRoot = path.resolve(__dirname, '../../..');
const mnist8 = path.resolve(repoRoot, '../shared/fixtures/models/mnist-onnx/mnist-8.onnx');

describe('inspect on mnist-8', () => {
  const model = decodeModel(new Uint8Array(fs.readFileSync(mnist8)));
  const summary = inspect(model);

  it('reports the header fields, inputs and outputs', () => {
    expect(summary).toMatchObject({
      irVersion: 3,
      opsets: [{ domain: '', version: 8 }],
      producerName: 'CNTK',
      producerVersion: '2.5.1',
      domain: 'ai.cntk',
      modelVersion: 1,
      graphName: 'CNTKGraph',
      metadata: {},
      nodeCount: 12,
      functions: [],
    });
    // IR 3 lists the initializers among the graph inputs; only the fed input is an input.
    expect(summary.inputs).toEqual([{ name: 'Input3', kind: 'tensor', dtype: 'float32', shape: [1, 1, 28, 28], inferred: false }]);
    expect(summary.outputs).toEqual([{ name: 'Plus214_Output_0', kind: 'tensor', dtype: 'float32', shape: [1, 10], inferred: false }]);
  });

  it('counts ops, most frequent first', () => {
    const expected: Record<string, number> = {};
    for (const n of model.graph.nodes) expected[n.opType] = (expected[n.opType] ?? 0) + 1;
    expect(summary.opHistogram).toEqual(expected);
    const counts = Object.values(summary.opHistogram);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(summary.opHistogram.Add).toBe(3);
  });

  it('counts parameters and bytes, float ones apart', () => {
    const floats = model.graph.initializers.filter((t) => t.dtype === 'float32');
    const floatElements = floats.reduce((n, t) => n + elementCount(t.dims), 0);
    expect(summary.parameters).toMatchObject({
      tensors: 8,
      floatTensors: 6,
      floatElements,
      floatBytes: floatElements * 4,
      elements: floatElements + 4,
      bytes: floatElements * 4 + 4 * 8,
    });
    // 8·1·5·5 + 8 + 16·8·5·5 + 16 + 16·4·4·10 + 10: the CNTK model's known size.
    expect(summary.parameters.floatElements).toBe(5994);
    const shape = summary.parameters.list.find((p) => p.name === 'Pooling160_Output_0_reshape0_shape');
    expect(shape).toEqual({ name: 'Pooling160_Output_0_reshape0_shape', dtype: 'int64', dims: [2], elements: 2, bytes: 16, float: false, external: false, sparse: false });
  });

  it('serialises to JSON and back unchanged', () => {
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('formats a readable text', () => {
    const text = formatSummary(summary);
    expect(text).toMatch(/^IR version\s+3$/m);
    expect(text).toMatch(/^Opsets\s+ai\.onnx 8$/m);
    expect(text).toMatch(/^Producer\s+CNTK 2\.5\.1$/m);
    expect(text).toMatch(/^Graph\s+CNTKGraph, 12 nodes$/m);
    expect(text).toMatch(/^\s+Input3\s+float32\s+\[1, 1, 28, 28\]$/m);
    expect(text).toMatch(/^\s+Plus214_Output_0\s+float32\s+\[1, 10\]$/m);
    expect(text).toMatch(/^\s+Add\s+3$/m);
    expect(text).toMatch(/^Parameters: 5,994 float values \(23\.4 KiB\) in 6 tensors; 2 other tensors, 4 values \(32 B\)$/m);
    expect(text).toMatch(/^\s+Parameter193\s+float32\s+\[16, 4, 4, 10\]\s+2,560$/m);
  });
});

describe('inspect on a built model', () => {
  function built() {
    const b = new GraphBuilder({ opset: 17, extraOpsets: [{ domain: 'com.microsoft', version: 1 }] });
    const x = b.input('x', 'float32', ['batch', 4]);
    const w = b.initializer('w', 'float32', [4, 3], new Float32Array(12));
    b.initializer('labels', 'string', [2], ['cat', 'dög']);
    const h = b.op('MatMul', [x, w]);
    const g = b.op('Gelu', [h], {}, { domain: 'com.microsoft' });
    b.output(b.op('Softmax', [g], {}, { output: 'probs' }), 'float32');
    b.output(b.op('Relu', [h], {}, { output: 'hidden' }), 'float32', ['batch', 3]);
    // An overridable initializer (IR >= 4) listed as an input is a parameter, not an input.
    b.graph.inputs.push({ name: 'w', type: { kind: 'tensor', dtype: 'float32', shape: [4, 3] } });
    return b.build({ metadata: { author: 'onnxkit tests', license: 'MIT' }, docString: 'a tiny\nmodel', producerName: 'test', producerVersion: '1.0' });
  }

  it('reports metadata, domains, inferred shapes and string bytes', () => {
    const s = inspect(decodeModel(encodeModel(built())));
    expect(s.metadata).toEqual({ author: 'onnxkit tests', license: 'MIT' });
    expect(s.docString).toBe('a tiny\nmodel');
    expect(s.opsets).toEqual([{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }]);
    expect(s.opHistogram).toEqual({ 'com.microsoft.Gelu': 1, MatMul: 1, Relu: 1, Softmax: 1 });
    expect(s.inputs.map((v) => v.name)).toEqual(['x']);
    // 'probs' follows a com.microsoft op, so its shape is unknown; 'hidden' is declared.
    expect(s.outputs).toEqual([
      { name: 'probs', kind: 'tensor', dtype: 'float32', shape: null, inferred: false },
      { name: 'hidden', kind: 'tensor', dtype: 'float32', shape: ['batch', 3], inferred: false },
    ]);
    const labels = s.parameters.list.find((p) => p.name === 'labels');
    expect(labels).toMatchObject({ dtype: 'string', elements: 2, bytes: 3 + 4, float: false });
    expect(s.parameters).toMatchObject({ tensors: 2, floatTensors: 1, floatElements: 12, floatBytes: 48 });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    const text = formatSummary(s);
    expect(text).toMatch(/^\s+author\s+onnxkit tests$/m);
    expect(text).toMatch(/^Doc\s+a tiny model$/m);
    expect(text).toMatch(/^\s+probs\s+float32\s+<unknown shape>$/m);
    expect(text).toMatch(/^Opsets\s+ai\.onnx 17, com\.microsoft 1$/m);
  });

  it('fills a shapeless output from inference and marks it', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['N', 1, 28, 28]);
    b.output(b.op('Flatten', [b.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] })], {}, { output: 'flat' }), 'float32');
    const s = inspect(b.build());
    expect(s.outputs).toEqual([{ name: 'flat', kind: 'tensor', dtype: 'float32', shape: ['N', 196], inferred: true }]);
    expect(formatSummary(s)).toMatch(/^\s+flat\s+float32\s+\[N, 196\] \(inferred\)$/m);
  });

  it('still inspects a model whose shapes are inconsistent', () => {
    const b = new GraphBuilder();
    b.output(b.op('Add', [b.input('a', 'float32', [2, 3]), b.input('b', 'float32', [4])]), 'float32');
    expect(inspect(b.build()).nodeCount).toBe(1);
  });

  it('rejects something that is not a model', () => {
    expect(() => inspect({} as never)).toThrow(TypeError);
    expect(() => inspect(null as never)).toThrow(/'model'/);
  });
});

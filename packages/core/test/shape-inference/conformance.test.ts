import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, type Model, type TensorData } from '@onnxkit/core';
import { pb } from '../../src/onnx/codec/protobuf.js';
import { decodeTensor } from '../../src/onnx/codec/tensor-codec.js';
import { hasShapeRule, inferShapes } from '../../src/onnx/shape-inference/index.js';
import { conformanceDirs, exposeIntermediates, ortOutputDims } from './helpers.js';

function readTensor(file: string): TensorData {
  return decodeTensor(pb.TensorProto.decode(new Uint8Array(fs.readFileSync(file))));
}

const INTEGER = new Set(['int64', 'int32']);

interface Case {
  name: string;
  dir: string;
  /** The model as inference sees it (see {@link prepare}). */
  model: Model;
  /** Inputs still fed at run time, from test_data_set_0. */
  feeds: Record<string, TensorData>;
}

/**
 * Conformance models feed shape-computing tensors (Reshape's shape, Slice's bounds, Squeeze's axes…)
 * as graph inputs; real models hold them as constants, so integer inputs become initializers here.
 * Declared output shapes are dropped: inference must find them itself.
 */
function prepare(model: Model, dir: string): Case {
  const g = model.graph;
  const initNames = new Set(g.initializers.map((t) => t.name));
  const initializers = [...g.initializers];
  const feeds: Record<string, TensorData> = {};
  g.inputs
    .filter((v) => !initNames.has(v.name))
    .forEach((v, i) => {
      const t = { ...readTensor(path.join(dir, 'test_data_set_0', `input_${i}.pb`)), name: v.name };
      if (v.type?.kind === 'tensor' && INTEGER.has(v.type.dtype)) initializers.push(t);
      else feeds[v.name] = t;
    });
  const outputs = g.outputs.map((v) => (v.type?.kind === 'tensor' ? { name: v.name, type: { kind: 'tensor' as const, dtype: v.type.dtype } } : v));
  return { name: path.basename(dir), dir, model: { ...model, graph: { ...g, initializers, outputs } }, feeds };
}

function supportedCases(): { cases: Case[]; skipped: string[] } {
  const cases: Case[] = [];
  const skipped: string[] = [];
  const dirs = ['onnx-node-tests', 'onnx-pytorch-converted-tests', 'onnx-simple-tests'].flatMap(conformanceDirs);
  for (const dir of dirs) {
    const model = decodeModel(new Uint8Array(fs.readFileSync(path.join(dir, 'model.onnx'))));
    const supported = model.graph.nodes.every((n) => (n.domain === '' || n.domain === 'ai.onnx') && hasShapeRule(n.opType));
    if (supported && fs.existsSync(path.join(dir, 'test_data_set_0', 'output_0.pb'))) cases.push(prepare(model, dir));
    else skipped.push(path.basename(dir));
  }
  return { cases, skipped };
}

/** ORT refusals that say nothing about shapes: exotic element types, kernels for ancient opsets. */
const ORT_CANNOT = /Unsupported tensor type|Tensor\.type is not supported|Could not find an implementation|Non per-tensor quantization/;

describe('shape inference on the ONNX conformance models', () => {
  const { cases, skipped } = supportedCases();

  it('covers the CNN ops', () => {
    const names = cases.map((c) => c.name);
    const families = ['test_conv', 'test_convtranspose', 'test_maxpool', 'test_averagepool', 'test_globalaveragepool', 'test_gemm', 'test_matmul',
      'test_reshape', 'test_flatten', 'test_transpose', 'test_batchnorm', 'test_dropout', 'test_softmax', 'test_relu', 'test_quantizelinear',
      'test_dequantizelinear', 'test_Conv2d', 'test_MaxPool2d', 'test_Linear'];
    for (const prefix of families) expect(names.some((n) => n.startsWith(prefix)), prefix).toBe(true);
    // Only training-domain ops (Adam, Gradient, …) lack rules.
    expect(skipped.length).toBeLessThan(15);
    console.log(`shape inference conformance: ${cases.length} models with only supported ops; skipped: ${skipped.join(', ')}`);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: inferred outputs match the reference outputs', (_, c) => {
    const types = inferShapes(c.model, { strict: true });
    c.model.graph.outputs.forEach((out, i) => {
      const file = path.join(c.dir, 'test_data_set_0', `output_${i}.pb`);
      if (!fs.existsSync(file)) return;
      const ref = readTensor(file);
      const t = types.get(out.name);
      expect(t?.kind, out.name).toBe('tensor');
      if (t?.kind !== 'tensor') return;
      expect({ dtype: t.dtype, shape: t.shape }, out.name).toEqual({ dtype: ref.dtype, shape: ref.dims });
    });
  });

  it.for(cases.map((c) => [c.name, c] as const))('%s: every intermediate shape matches ORT', async ([, c], { skip }) => {
    const types = inferShapes(c.model, { strict: true });
    let dims: Map<string, number[]>;
    try {
      const feeds = Object.fromEntries(
        Object.entries(c.feeds).map(([k, t]) => [k, new ort.Tensor(t.dtype as ort.Tensor.Type, t.data as ort.Tensor.DataType, t.dims)]),
      );
      dims = await ortOutputDims(exposeIntermediates(c.model, types), feeds);
    } catch (e) {
      if (ORT_CANNOT.test(String(e))) return skip(`ORT cannot run it: ${String(e).slice(0, 80)}`);
      throw e;
    }
    for (const [name, d] of dims) {
      const t = types.get(name);
      expect(t?.kind === 'tensor' ? t.shape : undefined, name).toEqual(d);
    }
  });
});

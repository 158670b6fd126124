import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '@onnxkit/core';
import { annotateShapes, inferShapes } from '../../src/onnx/shape-inference/index.js';
import { exposeIntermediates, mnist8Path, ortOutputDims, randomFloats } from './helpers.js';

describe('shape inference on mnist-8', () => {
  const model = decodeModel(new Uint8Array(fs.readFileSync(mnist8Path)));

  it('infers every intermediate shape exactly as ORT computes it', async () => {
    const types = inferShapes(model, { strict: true });
    const nodeOutputs = model.graph.nodes.flatMap((n) => n.outputs);
    const feeds = { Input3: new ort.Tensor('float32', randomFloats(28 * 28), [1, 1, 28, 28]) };
    const actual = await ortOutputDims(exposeIntermediates(model, types), feeds);
    expect(actual.size).toBe(nodeOutputs.length);
    for (const name of nodeOutputs) {
      const t = types.get(name);
      expect(t?.kind, name).toBe('tensor');
      if (t?.kind !== 'tensor') continue;
      expect(t.dtype, name).toBe('float32');
      expect(t.shape, name).toEqual(actual.get(name));
    }
    // Spot-check the two values the CNTK export hides behind auto_pad and Reshape.
    expect(types.get('Convolution28_Output_0')).toEqual({ kind: 'tensor', dtype: 'float32', shape: [1, 8, 28, 28] });
    expect(types.get('Pooling160_Output_0_reshape0')).toEqual({ kind: 'tensor', dtype: 'float32', shape: [1, 256] });
  });

  it('types inputs and initializers too', () => {
    const types = inferShapes(model);
    expect(types.get('Input3')).toEqual({ kind: 'tensor', dtype: 'float32', shape: [1, 1, 28, 28] });
    expect(types.get('Parameter193')).toEqual({ kind: 'tensor', dtype: 'float32', shape: [16, 4, 4, 10] });
    expect(types.get('Pooling160_Output_0_reshape0_shape')).toEqual({ kind: 'tensor', dtype: 'int64', shape: [2] });
  });

  it('annotateShapes fills valueInfo without touching the input model', async () => {
    const before = model.graph.valueInfo.length;
    const annotated = annotateShapes(model);
    expect(model.graph.valueInfo.length).toBe(before);
    expect(annotated.graph.valueInfo.map((v) => v.name)).toEqual(
      model.graph.nodes.flatMap((n) => n.outputs).filter((n) => n !== 'Plus214_Output_0'),
    );
    // ORT accepts the annotated model and agrees on the output.
    const feeds = { Input3: new ort.Tensor('float32', randomFloats(28 * 28, 7), [1, 1, 28, 28]) };
    const dims = await ortOutputDims(annotated, feeds);
    expect(dims.get('Plus214_Output_0')).toEqual([1, 10]);
  });
});

import { describe, expect, it } from 'vitest';
import { convertKeras, type ConvertOptions } from '@onnxkit/core';
import { loadMnistDigits } from '@onnxkit/node';
import { maxAbsDiff, runConverted } from './compare.js';
import { allLayersModel, loadTfjs, quantize, randomizeWeights, saveTfjs, type SavedTfjs } from './synthetic-models.js';
import { tfjsPredict } from './tfjs-reference.js';

// Every layer and activation the converter supports, in one Functional model built and run by TF.js.
const digits = loadMnistDigits({ perClass: 2 });
const model = allLayersModel();
randomizeWeights(model, 7);
const saved = await saveTfjs(model);

function convert(s: SavedTfjs, options: ConvertOptions = {}) {
  return convertKeras(
    {
      model: new Uint8Array(Buffer.from(JSON.stringify(s.json))),
      readFile: (p) => {
        if (p !== 'weights.bin') throw new Error(`no such shard ${p}`);
        return s.shard;
      },
    },
    options,
  );
}

describe('convertKeras: every supported layer vs TF.js', () => {
  it('matches TF.js on both outputs (feature map and probabilities) within 1e-4, NHWC and NCHW', async () => {
    const expected = tfjsPredict(model, digits.images, digits.count);
    const nhwc = await convert(saved);
    expect(nhwc.outputs.map((o) => o.name)).toEqual(['bn', 'probs']);
    expect(nhwc.inputs).toEqual([{ name: 'image', shape: ['N', 28, 28, 1] }]);
    const ops = new Set(nhwc.model.graph.nodes.map((n) => n.opType));
    for (const op of ['Conv', 'BatchNormalization', 'Pad', 'MaxPool', 'AveragePool', 'Concat', 'GlobalAveragePool', 'GlobalMaxPool', 'Gemm', 'MatMul', 'Softmax', 'Clip', 'Erf']) {
      expect(ops).toContain(op);
    }
    expect(maxAbsDiff(await runConverted(nhwc.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);

    // One channel: NHWC and NCHW images are the same bytes.
    const nchw = await convert(saved, { layout: 'NCHW' });
    expect(nchw.inputs).toEqual([{ name: 'image', shape: ['N', 1, 28, 28] }]);
    expect(maxAbsDiff(await runConverted(nchw.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
  });

  it.each(['uint8', 'uint16', 'float16'] as const)('reads %s-quantized TF.js weights exactly as TF.js dequantises them', async (dtype) => {
    const q = quantize(saved, dtype);
    const reference = await loadTfjs(q);
    const expected = tfjsPredict(reference, digits.images, digits.count);
    const converted = await convert(q, { outputs: 'last' });
    expect(converted.outputs.map((o) => o.name)).toEqual(['probs']);
    expect(maxAbsDiff(await runConverted(converted.model, digits.images, digits.count), [expected[1]])).toBeLessThanOrEqual(1e-4);
  });

  it('emits the opset asked for, and the same numbers at opsets 13 and 21', async () => {
    const expected = tfjsPredict(model, digits.images, digits.count);
    for (const opset of [13, 21]) {
      const r = await convert(saved, { opset });
      expect(r.model.opsetImports).toEqual([{ domain: '', version: opset }]);
      expect(maxAbsDiff(await runConverted(r.model, digits.images, digits.count), expected)).toBeLessThanOrEqual(1e-4);
    }
  });
});

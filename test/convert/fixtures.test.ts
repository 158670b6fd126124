import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConvertError, convertKeras, readKerasSource, type ConvertInput } from '@onnxkit/core';
import { loadMnistDigits } from '@onnxkit/node';
import { accuracy, maxAbsDiff, runConverted } from './compare.js';
import { FIXTURE_MODELS, REFUSED_MODELS, fixturePath, type FixtureModel } from './fixture-models.js';
import { tfjsFromKeras, tfjsFromModelJson, tfjsPredict } from './tfjs-reference.js';

const digits = loadMnistDigits({ perClass: 5 });

function inputOf(f: { model: string; weights?: string }): ConvertInput {
  const file = fixturePath(f.model);
  return {
    model: readFileSync(file),
    ...(f.weights ? { weights: readFileSync(fixturePath(f.weights)) } : {}),
    readFile: (p) => readFileSync(path.join(path.dirname(file), p)),
    fileName: path.basename(file),
  };
}

async function reference(f: FixtureModel) {
  return f.reference === 'tfjs' ? tfjsFromModelJson(fixturePath(f.model)) : tfjsFromKeras(await readKerasSource(inputOf(f)));
}

describe('every fixture model converts and matches TF.js on real digits', () => {
  it.each(FIXTURE_MODELS.map((f) => [f.id, f] as const))('%s', async (_, f) => {
    const images = f.pixelMax === 255 ? digits.images.map((v) => v * 255) : digits.images;
    const tfjsModel = await reference(f);
    const expected = tfjsPredict(tfjsModel, images, digits.count);
    const r = await convertKeras(inputOf(f));
    expect(r.format).toBe(f.format);
    expect(r.kerasVersion).toBe(f.kerasVersion);
    expect(r.outputs).toHaveLength(expected.length);
    const got = await runConverted(r.model, images, digits.count);
    expect(maxAbsDiff(got, expected)).toBeLessThanOrEqual(1e-4);
    // The prediction is the last output; trained models classify real digits.
    const prediction = got[got.length - 1];
    if (f.trained) expect(accuracy(prediction, digits.labels)).toBeGreaterThanOrEqual(0.9);
    // NCHW exposes [N, 1, 28, 28]: the same bytes for one channel, the same numbers out.
    const nchw = await convertKeras(inputOf(f), { layout: 'NCHW', outputs: 'last' });
    expect(nchw.inputs[0].shape).toEqual(['N', 1, 28, 28]);
    expect(maxAbsDiff(await runConverted(nchw.model, images, digits.count), [expected[expected.length - 1]])).toBeLessThanOrEqual(1e-4);
  });

  it('reads the Keras .h5 weights as tensorflowjs_converter did: the Keras file vs its TF.js conversion', async () => {
    // docs/keras/rawModel (Keras) and docs/keras/convertedModel (its TF.js conversion) hold the same weights;
    // here TF.js reads them from its own shards, onnxkit from the HDF5 file: no shared reader at all.
    const expected = tfjsPredict(await tfjsFromModelJson(fixturePath('tfjs/tensorspace/docs/keras/convertedModel/model.json')), digits.images, digits.count);
    const r = await convertKeras(inputOf(FIXTURE_MODELS[0]));
    const got = await runConverted(r.model, digits.images, digits.count);
    expect(maxAbsDiff(got, [expected[expected.length - 1]])).toBeLessThanOrEqual(1e-4);
  });

  it('refuses the DenseNet with Lambda layers, naming them', async () => {
    const err = await convertKeras({ model: readFileSync(REFUSED_MODELS.lambda) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvertError);
    expect((err as ConvertError).code).toBe('unsupported-layer');
    expect((err as Error).message).toMatch(/^cannot convert the model: Lambda layers 'lambda_1', 'lambda_2', 'lambda_3' and 10 more: a Lambda layer holds serialized Python bytecode/);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildSeedCnn,
  checkPreprocessingSpec,
  decodeModel,
  encodeModel,
  getLabels,
  getPreprocessingSpec,
  parsePreprocessingSpec,
  PREPROCESSING_KEY,
  readMetadataProps,
  resolvePreprocessingSpec,
  setLabels,
  setPreprocessingSpec,
  stringifyPreprocessingSpec,
  type PreprocessingSpec,
} from '@onnxkit/core';

const repoRoot = path.resolve(__dirname, '../../../..');
const mnistCnn = readFileSync(path.join(repoRoot, 'models/onnx/mnist-cnn.onnx'));
const mnist8 = readFileSync(path.resolve(repoRoot, '../shared/fixtures/models/mnist-onnx/mnist-8.onnx'));

const MNIST: PreprocessingSpec = { layout: 'NCHW', height: 28, width: 28, channels: 1, scale: [0, 1], polarity: 'light-on-dark', procedure: 'mnist' };

describe('preprocessing spec', () => {
  it("reads the shipped model's spec and labels from its metadata without decoding the graph", () => {
    const props = readMetadataProps(mnistCnn);
    expect(props).toEqual(decodeModel(mnistCnn).metadata);
    expect(getPreprocessingSpec(props)).toEqual(MNIST);
    expect(getLabels(props)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(readMetadataProps(mnist8)).toEqual({});
    expect(getPreprocessingSpec(readMetadataProps(mnist8))).toBeUndefined();
    expect(() => readMetadataProps(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(TypeError);
  });

  it('stores a spec and labels on a Model that survive encoding', () => {
    const model = buildSeedCnn();
    const spec: PreprocessingSpec = { ...MNIST, scale: { mean: [0.1307], std: [0.3081] } };
    setLabels(setPreprocessingSpec(model, spec), ['zero', 'one', '2', '3', '4', '5', '6', '7', '8', '9']);
    const back = decodeModel(encodeModel(model));
    expect(getPreprocessingSpec(back)).toEqual(spec);
    expect(getLabels(back)?.[0]).toBe('zero');
    expect(JSON.parse(back.metadata[PREPROCESSING_KEY])).toEqual({ ...spec });
    expect(() => setPreprocessingSpec(model, { ...spec, channels: 2 as 1 })).toThrow(/'channels' must be 1 or 3/);
    expect(() => setLabels(model, [])).toThrow(RangeError);
  });

  it('takes labels from the model card when onnxkit.labels is absent', () => {
    expect(getLabels({ 'onnxkit.card': JSON.stringify({ labels: ['cat', 'dog'] }) })).toEqual(['cat', 'dog']);
    expect(getLabels({ 'onnxkit.card': 'not json' })).toBeUndefined();
  });

  it('names the key in every error', () => {
    expect(() => parsePreprocessingSpec('{')).toThrow(/onnxkit.preprocessing.*not valid JSON/);
    expect(() => checkPreprocessingSpec({ ...MNIST, layout: 'CHW' })).toThrow(RangeError);
    expect(() => checkPreprocessingSpec({ ...MNIST, layout: 'CHW' })).toThrow(/'layout' must be NCHW, NHWC/);
    expect(() => checkPreprocessingSpec({ ...MNIST, height: 0 })).toThrow(/'height' must be an integer/);
    expect(() => checkPreprocessingSpec({ ...MNIST, colour: 'x' })).toThrow(/unknown key 'colour'/);
    expect(() => checkPreprocessingSpec({ ...MNIST, scale: [1, 1] })).toThrow(/must not be empty/);
    expect(() => checkPreprocessingSpec({ ...MNIST, scale: { mean: [0, 0], std: [1] } })).toThrow(/'scale.mean' needs 1 or 1 values/);
    const { procedure: _p, ...noProcedure } = MNIST;
    expect(() => checkPreprocessingSpec(noProcedure)).toThrow(/'procedure' is missing/);
    expect(stringifyPreprocessingSpec(MNIST)).toBe(
      '{"layout":"NCHW","height":28,"width":28,"channels":1,"scale":[0,1],"polarity":"light-on-dark","procedure":"mnist"}',
    );
  });

  it('completes presets and partial specs from the model input shape', () => {
    expect(resolvePreprocessingSpec('mnist', ['N', 1, 28, 28])).toEqual(MNIST);
    expect(resolvePreprocessingSpec('mnist', [1, 784])).toEqual(MNIST);
    expect(resolvePreprocessingSpec({ procedure: 'mnist', scale: [0, 255] }, [1, 1, 28, 28]).scale).toEqual([0, 255]);
    const nhwc = resolvePreprocessingSpec({ procedure: 'resize', fit: 'cover' }, ['batch', 224, 224, 3]);
    expect(nhwc).toMatchObject({ layout: 'NHWC', height: 224, width: 224, channels: 3, procedure: 'resize', fit: 'cover', polarity: 'any' });
    expect(resolvePreprocessingSpec('resize', [null as unknown as string, 3, 32, 48])).toMatchObject({ layout: 'NCHW', height: 32, width: 48, channels: 3 });
    expect(() => resolvePreprocessingSpec('mnist', ['N', 3, 32, 32])).toThrow(/makes 32x32x1 = 1024 values per image, but the model input \[N,3,32,32\] takes 3072/);
    expect(() => resolvePreprocessingSpec('imagenet' as 'mnist', [])).toThrow(/unknown preset 'imagenet'/);
    expect(() => resolvePreprocessingSpec('resize', ['N', 'F'])).toThrow(/'height' is missing/);
  });
});

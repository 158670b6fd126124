import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, getPreprocessingSpec } from '@onnxkit/core';
import type { ConvertReport } from '../../src/cli/commands/convert.js';
import { cli, expectOneLineError, fixtures } from './harness.js';

const keras3 = path.join(fixtures, 'keras/Arunkumar7812+Digit-recognizer-CNN/mnist_model.keras');
const classroom = path.join(fixtures, 'keras/Purinat33+CNN-Classroom/mnist_cnn.h5');
const separated = path.join(fixtures, 'keras/tensorspace/docs/keras/rawModel/separated');
const tfjsModel = path.join(fixtures, 'tfjs/tensorspace/docs/keras/convertedModel/model.json');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-cli-convert-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('onnxkit convert', () => {
  it('converts a Keras 3 .keras archive to an ONNX model ORT loads, and prints a summary', async () => {
    const out = path.join(dir, 'nested', 'keras3.onnx');
    const r = await cli(['convert', keras3, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const bytes = new Uint8Array(await readFile(out));
    expect(r.stdout).toBe(
      [
        `converted ${keras3} (keras-v3, Keras 3.11.3, 9 layers) to ${out}: ${bytes.byteLength.toLocaleString('en-US')} bytes, opset 17`,
        '  input  input_layer float32 [N, 28, 28]',
        '  output dense_1 float32 [N, 10]',
        '  preprocessing: 28x28x1 NHWC, pixels in [0, 1], light-on-dark, mnist',
        '',
      ].join('\n'),
    );
    const model = decodeModel(bytes);
    expect(JSON.parse(model.metadata['onnxkit.card'])).toMatchObject({ source: { format: 'keras-v3', kerasVersion: '3.11.3', modelClass: 'Sequential' }, opset: 17 });
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['input_layer']);
    await session.release();
  });

  it('detects the format from the content, not the file name', async () => {
    const disguised = path.join(dir, 'not-really.json');
    await copyFile(classroom, disguised);
    const r = await cli(['convert', disguised, '-o', path.join(dir, 'classroom.onnx'), '--scale', '255', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ConvertReport;
    expect(report.format).toBe('keras-h5');
    expect(report.kerasVersion).toBe('2.10.0');
    expect(report.preprocessing?.scale).toEqual([0, 255]);
    const model = decodeModel(new Uint8Array(await readFile(path.join(dir, 'classroom.onnx'))));
    expect(getPreprocessingSpec(model)?.scale).toEqual([0, 255]);
  });

  it('reads a topology JSON with --weights, and a TF.js model.json with its shards (--nchw --opset --outputs)', async () => {
    const a = await cli(['convert', path.join(separated, 'topology.json'), '--weights', path.join(separated, 'weights.h5'), '-o', path.join(dir, 'sep.onnx'), '--json']);
    expect(a.code).toBe(0);
    expect((JSON.parse(a.stdout) as ConvertReport).format).toBe('keras-json');

    const out = path.join(dir, 'tfjs.onnx');
    const b = await cli(['convert', tfjsModel, '-o', out, '--nchw', '--opset', '13', '--outputs', 'last', '--json']);
    expect(b.code).toBe(0);
    const report = JSON.parse(b.stdout) as ConvertReport;
    expect(report).toMatchObject({ format: 'tfjs-layers', opset: 13, inputs: [{ name: 'input_1', shape: ['N', 1, 28, 28] }], outputs: [{ name: 'Softmax', shape: ['N', 10] }] });
    const model = decodeModel(new Uint8Array(await readFile(out)));
    expect(model.opsetImports).toEqual([{ domain: '', version: 13 }]);
    expect(getPreprocessingSpec(model)?.layout).toBe('NCHW');
  });

  it('fails in one line: no weights for a topology JSON, a Lambda layer, bad options', async () => {
    expect(expectOneLineError(await cli(['convert', path.join(separated, 'topology.json'), '-o', path.join(dir, 'x.onnx')]))).toBe(
      "onnxkit: error: topology.json is a Keras topology JSON, which holds no weights: pass the weights .h5 as 'weights' (CLI: --weights <file.h5>)",
    );
    const lambda = expectOneLineError(await cli(['convert', path.join(fixtures, 'keras/nnom-mnist-densenet/keras_mnist_model.h5'), '-o', path.join(dir, 'x.onnx')]));
    expect(lambda).toMatch(/^onnxkit: error: cannot convert the model: Lambda layers 'lambda_1', 'lambda_2', 'lambda_3' and 10 more: a Lambda layer holds serialized Python bytecode/);
    expect(expectOneLineError(await cli(['convert', keras3, '-o', path.join(dir, 'x.onnx'), '--opset', 'latest']))).toBe(
      "onnxkit: error: --opset 'latest': expected an integer, e.g. --opset 17",
    );
    expect(expectOneLineError(await cli(['convert', keras3, '-o', path.join(dir, 'x.onnx'), '--opset', '7']))).toBe(
      "onnxkit: error: convertKeras: 'opset' must be an integer from 13 to 21, got 7",
    );
    expect(expectOneLineError(await cli(['convert', path.join(dir, 'missing.h5'), '-o', path.join(dir, 'x.onnx')]))).toMatch(/^onnxkit: error: .*missing\.h5/);
  });
});

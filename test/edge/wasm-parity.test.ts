import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, quantizeModel, Random, selectExamples, splitDataset, type QuantizeMode } from '@onnxkit/node';
import { loadMnistDigits } from '../../packages/node/src/data/mnist-digits.js';
import { repoRoot } from '../support/paths.js';

// Every quantized form must run on onnxruntime-web's WASM backend (what browsers without WebGPU use)
// and predict what ORT CPU predicts. onnxruntime-web's Node build runs the same WASM here.
const { train, validation } = splitDataset(loadMnistDigits(), 1000, new Random(0));
const calibration = selectExamples(train, Int32Array.from({ length: 200 }, (_, i) => Math.floor((i * train.count) / 200)));
const images = validation.images.slice(0, 100 * 784);
const model = decodeModel(readFileSync(path.join(repoRoot, 'models/onnx/mnist-cnn.onnx')));

function argmaxRows(scores: Float32Array): number[] {
  return Array.from({ length: scores.length / 10 }, (_, i) => {
    const row = Array.from(scores.subarray(i * 10, i * 10 + 10));
    return row.indexOf(Math.max(...row));
  });
}

describe('quantized models on WASM', () => {
  it.each(['static', 'dynamic', 'weight-only', 'fp16'] as QuantizeMode[])('%s: WASM predicts what ORT CPU predicts', async (mode) => {
    const bytes = encodeModel((await quantizeModel(model, { mode, calibration })).model);
    const cpu = await ortNode.InferenceSession.create(bytes);
    const wasm = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    const a = (await cpu.run({ input: new ortNode.Tensor('float32', images, [100, 1, 28, 28]) })).probabilities.data as Float32Array;
    const b = (await wasm.run({ input: new ortWeb.Tensor('float32', images, [100, 1, 28, 28]) })).probabilities.data as Float32Array;
    await cpu.release();
    await wasm.release();
    const pa = argmaxRows(a);
    const pb = argmaxRows(b);
    expect(pb.filter((p, i) => p === pa[i]).length).toBeGreaterThanOrEqual(99);
    expect(pb.filter((p, i) => p === validation.labels[i]).length).toBeGreaterThanOrEqual(97);
  });
});

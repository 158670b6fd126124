import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { encodeModel } from '@onnxkit/core';
import { buildSeedCnn, SEED_CNN_PARAMETERS } from '../../packages/core/src/models/index.js';
import { buildBnVariant } from './bn-variant.js';
import { loadTorchFixture, relativeError, torchFixtureDir } from './torch-fixture.js';

// The ONNX twins of the PyTorch references compute PyTorch's logits: a precondition of every gradient comparison.
// Relative error = max|a − b| / max|b| per tensor.

async function run(bytes: Uint8Array, input: Float32Array, n: number): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, [n, 1, 28, 28]) });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

function softmaxRows(logits: readonly number[], classes: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    const row = logits.slice(r * classes, (r + 1) * classes);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, c) => (out[r * classes + c] = v / s));
  }
  return out;
}

describe('ONNX twins of the PyTorch references', () => {
  it('seed CNN: logits and probabilities match PyTorch', async () => {
    const fx = loadTorchFixture('seed-cnn');
    const weights = Object.fromEntries([...fx.byRole('param')].map(([k, t]) => [k, t.data]));
    expect(Object.keys(weights).sort()).toEqual(SEED_CNN_PARAMETERS.map((p) => p.name).sort());
    const x = fx.get('input', 'input').data;
    const n = fx.labels.length;
    const logits = await run(encodeModel(buildSeedCnn({ weights, output: 'logits' })), x, n);
    expect(relativeError(logits.logits, fx.logits!)).toBeLessThan(1e-5);
    const probs = await run(encodeModel(buildSeedCnn({ weights })), x, n);
    expect(relativeError(probs.probabilities, softmaxRows(fx.logits!, 10))).toBeLessThan(1e-5);
  });

  it('BN variant: logits match PyTorch (eval-mode BatchNormalization, stride 2, 11 → 5 pooling)', async () => {
    const fx = loadTorchFixture('bn-variant');
    const values = Object.fromEntries([...fx.byRole('param'), ...fx.byRole('buffer')].map(([k, t]) => [k, t.data]));
    const out = await run(encodeModel(buildBnVariant(values)), fx.get('input', 'input').data, fx.labels.length);
    expect(relativeError(out.logits, fx.logits!)).toBeLessThan(1e-5);
  });

  it.each([13, 17])('torch.onnx.export at opset %i runs in ORT with PyTorch\'s logits', async (opset) => {
    const fx = loadTorchFixture('torch-cnn');
    const bytes = readFileSync(path.join(torchFixtureDir, `torch-cnn-opset${opset}.onnx`));
    const out = await run(bytes, fx.get('input', 'input').data, fx.labels.length);
    expect(relativeError(out.logits, fx.get('output', 'logits').data)).toBeLessThan(1e-5);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/onnx/codec/decode-model.js';
import { tensorToNumbers } from '../../src/onnx/tensor.js';
import { ARTIFACT_TARGETS, type ArtifactTarget } from '../../src/train/artifacts/targets.js';
import { gradCheck, record, rng, uniform, type TensorFeed } from './gradcheck.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const fixtures = path.resolve(repoRoot, '../shared/fixtures');

describe.each(Object.keys(ARTIFACT_TARGETS) as ArtifactTarget[])('a real model: mnist-8 (CNTK export, opset 8 ops re-emitted at opset 17), target %s', (target) => {
  it('gradients of every parameter and the input match central differences', async () => {
    const bytes = readFileSync(path.join(fixtures, 'models/mnist-onnx/mnist-8.onnx'));
    const params = decodeModel(bytes).graph.initializers.filter((t) => t.dtype === 'float32');
    // IR 3 lists the parameters as graph inputs too; drop their initializers so that feeds set them.
    const model = () => {
      const m = decodeModel(bytes);
      m.graph.initializers = m.graph.initializers.filter((t) => t.dtype !== 'float32');
      return m;
    };
    const inputs: Record<string, TensorFeed> = { Input3: uniform(rng(28), [1, 1, 28, 28], 0, 1) };
    for (const t of params) inputs[t.name] = { dims: t.dims, data: Float32Array.from(tensorToNumbers(t)) };
    const rep = await gradCheck({ model, inputs, kinks: true, eps: 5e-3, atol: 2e-3, rtol: 1e-2, coords: 6, options: { features: ARTIFACT_TARGETS[target].features } });
    record(`models/mnist-8/${target}`, rep);
    expect(rep.worst).toBeLessThanOrEqual(1);
    expect(Object.keys(rep.grads).sort()).toEqual(Object.keys(inputs).sort());
  });
});

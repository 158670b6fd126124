import { describe, expect, it } from 'vitest';
import type { Model } from '../../packages/core/src/onnx/index.js';
import { generateArtifacts } from '../../packages/core/src/train/index.js';
import { ADAMW, mnist8, torchExport } from './artifact-cases.js';
import { runModel, scalarFeed, zeroState, type Feeds } from './ort-step.js';
import { loadTorchFixture, oneHot } from './torch-fixture.js';

// Models nobody here wrote get artifacts whose one AdamW step (lr 1e-3) lowers the loss on a fixed
// batch: torch.onnx.export at opset 13 (BN folded) and 17 (BN kept), and mnist-8 (CNTK export; its
// Reshape fixes the batch at 1).

async function oneStep(model: Model, batch: number) {
  const fx = loadTorchFixture('torch-cnn');
  const art = generateArtifacts(model, ADAMW);
  const dataInput = art.trainingModel.graph.inputs[0].name;
  const x = fx.get('input', 'input').data.subarray(0, batch * 784);
  const data: Feeds = {
    [dataInput]: { data: x, dims: [batch, 1, 28, 28] },
    labels: { data: oneHot(fx.labels.slice(0, batch), 10), dims: [batch, 10] },
  };
  const params: Feeds = Object.fromEntries(
    art.summary.trainable.map((t) => {
      const init = model.graph.initializers.find((i) => i.name === t.name)!;
      return [t.name, { data: init.data as Float32Array, dims: t.dims }];
    }),
  );
  const train = await runModel(art.trainingModel, { ...data, ...params });
  const grads: Feeds = Object.fromEntries(art.summary.trainable.map((t) => [`${t.name}_grad`, { data: train[`${t.name}_grad`], dims: t.dims }]));
  const state = zeroState(art.summary.optimizerState, params);
  const next = await runModel(art.optimizerModel, { learning_rate: scalarFeed(1e-3), step: scalarFeed(0), ...params, ...grads, ...state });
  const newParams: Feeds = Object.fromEntries(art.summary.trainable.map((t) => [t.name, { data: next[`${t.name}.new`], dims: t.dims }]));
  const before = await runModel(art.evalModel, { ...data, ...params });
  const after = await runModel(art.evalModel, { ...data, ...newParams });
  return { art, train, before: before.loss[0], after: after.loss[0] };
}

describe('one training step lowers the loss', () => {
  it.each([13, 17] as const)('PyTorch export at opset %i', async (opset) => {
    const { art, train, before, after } = await oneStep(torchExport(opset)(), 8);
    expect(art.summary.modelOpset).toBe(opset);
    expect(art.summary.trainable.length).toBe(opset === 13 ? 6 : 8); // opset 17 keeps bn1.weight/bn1.bias
    expect(before).toBeCloseTo(train.loss[0], 5); // eval and training graphs agree
    expect(before).toBeCloseTo(loadTorchFixture('torch-cnn').loss, 4); // and agree with PyTorch
    console.log(`torch-cnn opset ${opset}: loss ${before.toFixed(5)} → ${after.toFixed(5)} after one step`);
    expect(after).toBeLessThan(before);
  });

  it('mnist-8 (ONNX model zoo, CNTK export)', async () => {
    const { art, train, before, after } = await oneStep(mnist8(), 1);
    expect(art.summary.trainable.map((t) => t.name).sort()).toEqual(
      ['Parameter5', 'Parameter6', 'Parameter87', 'Parameter88', 'Parameter193', 'Parameter194'].sort(),
    );
    expect(before).toBeCloseTo(train.loss[0], 5);
    console.log(`mnist-8: loss ${before.toFixed(5)} → ${after.toFixed(5)} after one step`);
    expect(after).toBeLessThan(before);
  });
});

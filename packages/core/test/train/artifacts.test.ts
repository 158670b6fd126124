import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, float, GraphBuilder, type Model } from '@onnxkit/core';
import {
  ARTIFACT_FILES,
  decodeCheckpoint,
  encodeArtifacts,
  generateArtifacts,
  type ArtifactOptions,
  type TrainingArtifacts,
} from '../../src/train/index.js';
import { fixtures, maxRelError, run, seeded, type Arr } from './artifacts-helpers.js';

/** x[N,4] → Gemm → Relu → MatMul → Add → Softmax. */
function mlp(): Model {
  const b = new GraphBuilder({ opset: 17, name: 'mlp' });
  const x = b.input('x', 'float32', ['N', 4]);
  b.initializer('fc1.w', 'float32', [8, 4], seeded(32, 1));
  b.initializer('fc1.b', 'float32', [8], seeded(8, 2, -0.1, 0.1));
  b.initializer('fc2.w', 'float32', [8, 3], seeded(24, 3));
  b.initializer('fc2.b', 'float32', [3], [0, 0.1, -0.1]);
  const h = b.op('Relu', [b.op('Gemm', [x, 'fc1.w', 'fc1.b'], { transB: 1, alpha: float(1) })]);
  const logits = b.op('Add', [b.op('MatMul', [h, 'fc2.w']), 'fc2.b']);
  b.output(b.op('Softmax', [logits], { axis: 1 }, { output: 'probs' }), 'float32', ['N', 3]);
  return b.build();
}

/** x[N,1,6,6] → Conv → BatchNormalization → Relu → MaxPool → Flatten → Gemm (logits). */
function cnn(): Model {
  const b = new GraphBuilder({ opset: 17, name: 'cnn' });
  const x = b.input('x', 'float32', ['N', 1, 6, 6]);
  b.initializer('conv.w', 'float32', [4, 1, 3, 3], seeded(36, 4, -0.5, 0.5));
  b.initializer('conv.b', 'float32', [4], seeded(4, 5, -0.1, 0.1));
  b.initializer('bn.scale', 'float32', [4], [1, 0.9, 1.1, 1]);
  b.initializer('bn.bias', 'float32', [4], [0, 0.1, 0, -0.1]);
  b.initializer('bn.mean', 'float32', [4], [0.01, 0, -0.02, 0]);
  b.initializer('bn.var', 'float32', [4], [1, 1.2, 0.8, 1]);
  b.initializer('fc.w', 'float32', [3, 36], seeded(108, 6, -0.3, 0.3));
  b.initializer('fc.b', 'float32', [3], [0, 0, 0]);
  const conv = b.op('Conv', [x, 'conv.w', 'conv.b'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  const bn = b.op('BatchNormalization', [conv, 'bn.scale', 'bn.bias', 'bn.mean', 'bn.var']);
  const pooled = b.op('MaxPool', [b.op('Relu', [bn])], { kernel_shape: [2, 2], strides: [2, 2] });
  const flat = b.op('Flatten', [pooled], { axis: 1 });
  b.output(b.op('Gemm', [flat, 'fc.w', 'fc.b'], { transB: 1 }, { output: 'logits' }), 'float32', ['N', 3]);
  return b.build();
}

const batch = (n: number, shape: number[], seed: number): Arr => ({ dims: [n, ...shape], data: seeded(n * shape.reduce((a, d) => a * d, 1), seed) });
function oneHot(classes: number[], c: number): Arr {
  const data = new Float32Array(classes.length * c);
  classes.forEach((k, i) => (data[i * c + k] = 1));
  return { dims: [classes.length, c], data };
}

/** The checkpoint's parameters as feeds. */
function parameterFeeds(a: TrainingArtifacts): Record<string, Arr> {
  const feeds: Record<string, Arr> = {};
  for (const t of decodeCheckpoint(a.checkpoint).parameters) feeds[t.name] = { dims: t.dims, data: t.data as Float32Array };
  return feeds;
}

/** One optimizer step from the checkpoint's state; returns the new parameters as feeds. */
async function optimizerStep(a: TrainingArtifacts, params: Record<string, Arr>, grads: Record<string, Arr>, lr: number) {
  const ckpt = decodeCheckpoint(a.checkpoint);
  const feeds: Record<string, Arr> = { learning_rate: { dims: [], data: Float32Array.of(lr) }, step: { dims: [], data: Float32Array.of(ckpt.step) } };
  for (const [name, v] of Object.entries(params)) {
    feeds[name] = v;
    feeds[`${name}_grad`] = grads[`${name}_grad`];
  }
  for (const s of ckpt.optimizerState) feeds[s.name] = { dims: s.dims, data: s.data as Float32Array };
  const out = await run(a.optimizerModel, feeds);
  return Object.fromEntries(Object.keys(params).map((name) => [name, out[`${name}.new`]]));
}

/** Generates, checks the contract's names, runs a step, and checks that it lowers the loss. */
async function lowersLoss(model: Model, options: ArtifactOptions, x: Arr, labels: Arr, lr: number) {
  const a = generateArtifacts(model, options);
  const params = parameterFeeds(a);
  const names = a.summary.trainable.map((t) => t.name);
  const dataInputs = model.graph.inputs.map((i) => i.name).filter((n) => !model.graph.initializers.some((t) => t.name === n));
  expect(a.trainingModel.graph.inputs.map((i) => i.name)).toEqual([...dataInputs, 'labels', ...names]);
  expect(a.trainingModel.graph.outputs.map((o) => o.name)).toEqual(['loss', ...names.map((n) => `${n}_grad`)]);
  const feeds = { [dataInputs[0]]: x, labels, ...params };
  const before = await run(a.trainingModel, feeds);
  expect(before.loss.dims).toEqual([]);
  for (const n of names) expect(before[`${n}_grad`].dims).toEqual(params[n].dims);
  const updated = await optimizerStep(a, params, before, lr);
  const after = await run(a.trainingModel, { ...feeds, ...updated });
  return { a, before: before.loss.data[0], after: after.loss.data[0], grads: before };
}

describe('generateArtifacts: MLP ending in Softmax', () => {
  const x = batch(5, [4], 10);
  const labels = oneHot([0, 2, 1, 1, 0], 3);

  it('trains through the Softmax; loss equals −mean log p[label] of the inference model; SGD lowers it', async () => {
    const model = mlp();
    const { a, before, after } = await lowersLoss(model, { optimizer: 'sgd' }, x, labels, 0.5);
    expect(a.summary.bypassedSoftmax).toBeDefined();
    expect(a.trainingModel.graph.nodes.some((n) => n.opType === 'Softmax')).toBe(false);
    const probs = (await run(model, { x })).probs.data;
    const ce = -[0, 2, 1, 1, 0].reduce((s, k, i) => s + Math.log(probs[i * 3 + k]), 0) / 5;
    expect(maxRelError([before], [ce])).toBeLessThan(1e-5);
    expect(after).toBeLessThan(before);
    console.log(`MLP loss ${before.toFixed(5)} → ${after.toFixed(5)} after one SGD step`);
  });

  it('eval model: loss and the model outputs, equal to inference', async () => {
    const model = mlp();
    const a = generateArtifacts(model);
    expect(a.evalModel.graph.inputs.map((i) => i.name)).toEqual(['x', 'labels', 'fc1.w', 'fc1.b', 'fc2.w', 'fc2.b']);
    expect(a.evalModel.graph.outputs.map((o) => o.name)).toEqual(['loss', 'probs']);
    const evalOut = await run(a.evalModel, { x, labels, ...parameterFeeds(a) });
    const training = await run(a.trainingModel, { x, labels, ...parameterFeeds(a) });
    const inference = await run(model, { x });
    expect(maxRelError(evalOut.probs.data, inference.probs.data)).toBeLessThan(1e-6);
    expect(evalOut.loss.data[0]).toBeCloseTo(training.loss.data[0], 6);
  });

  it('frozen parameters stay initializers with no gradient; input gradients on request', async () => {
    const a = generateArtifacts(mlp(), { frozen: ['fc1.w', 'fc1.b'], inputGradients: true });
    expect(a.summary.frozen).toEqual(['fc1.w', 'fc1.b']);
    expect(a.trainingModel.graph.inputs.map((i) => i.name)).toEqual(['x', 'labels', 'fc2.w', 'fc2.b']);
    expect(a.trainingModel.graph.outputs.map((o) => o.name)).toEqual(['loss', 'fc2.w_grad', 'fc2.b_grad', 'x_grad']);
    expect(a.trainingModel.graph.initializers.map((t) => t.name)).toEqual(expect.arrayContaining(['fc1.w', 'fc1.b']));
    const out = await run(a.trainingModel, { x, labels, ...parameterFeeds(a) });
    expect(out.x_grad.dims).toEqual([5, 4]);
    expect(Object.keys(parameterFeeds(a))).toEqual(['fc2.w', 'fc2.b']);
  });

  it('checkpoint holds the initial parameters, zero state and step 0, with the models’ fingerprint', () => {
    const model = mlp();
    const a = generateArtifacts(model, { optimizer: 'adamw' });
    const ckpt = decodeCheckpoint(a.checkpoint);
    expect(ckpt.step).toBe(0);
    expect(ckpt.parameters.map((t) => t.name)).toEqual(['fc1.w', 'fc1.b', 'fc2.w', 'fc2.b']);
    expect(ckpt.parameters[0].data).toEqual(model.graph.initializers[0].data);
    expect(ckpt.optimizerState.map((t) => t.name)).toEqual(['fc1.w.m', 'fc1.w.v', 'fc1.b.m', 'fc1.b.v', 'fc2.w.m', 'fc2.w.v', 'fc2.b.m', 'fc2.b.v']);
    expect(ckpt.optimizerState.every((t) => (t.data as Float32Array).every((v) => v === 0))).toBe(true);
    for (const m of [a.trainingModel, a.evalModel, a.optimizerModel]) expect(m.metadata['onnxkit.fingerprint']).toBe(ckpt.fingerprint);
    expect(a.optimizerModel.graph.outputs.map((o) => o.name).slice(0, 2)).toEqual(['fc1.w.new', 'fc1.b.new']);
  });

  it('encodes to four files that decode and load; validates names', async () => {
    const a = generateArtifacts(mlp(), { loss: 'mse', optimizer: 'momentum', nesterov: true });
    const files = encodeArtifacts(a);
    expect(Object.keys(files)).toEqual(Object.values(ARTIFACT_FILES));
    for (const f of ['training_model.onnx', 'eval_model.onnx', 'optimizer_model.onnx'] as const) {
      const m = decodeModel(files[f]);
      expect(m.opsetImports[0].version).toBe(17);
      expect(m.irVersion).toBe(8);
    }
    expect(a.summary.bypassedSoftmax).toBeUndefined();
    expect(() => generateArtifacts(mlp(), { trainable: ['fc9.w'] })).toThrow(/'fc9.w' is not an initializer; valid names: 'fc1.w'/);
    expect(() => generateArtifacts(mlp(), { output: 'nope' })).toThrow(/outputs: 'probs'/);
    expect(() => generateArtifacts(mlp(), { frozen: ['fc1.w', 'fc1.b', 'fc2.w', 'fc2.b'] })).toThrow(/no trainable parameters/);
    expect(() => generateArtifacts(mlp(), { loss: 'hinge' as never })).toThrow(RangeError);
  });
});

describe('generateArtifacts: gradients and other losses', () => {
  const x = batch(5, [4], 40);
  const classes = [1, 0, 2, 2, 1];
  const labels = oneHot(classes, 3);

  it('parameter gradients match central differences of the eval loss (label smoothing)', async () => {
    const a = generateArtifacts(mlp(), { labelSmoothing: 0.2 });
    const params = parameterFeeds(a);
    const grads = await run(a.trainingModel, { x, labels, ...params });
    const h = 1e-2;
    let worst = 0;
    for (const name of ['fc2.w', 'fc2.b']) {
      const numeric = await Promise.all(
        Array.from(params[name].data, async (_, i) => {
          const shifted = async (d: number) => {
            const data = params[name].data.slice();
            data[i] += d;
            return (await run(a.evalModel, { x, labels, ...params, [name]: { dims: params[name].dims, data } })).loss.data[0];
          };
          return ((await shifted(h)) - (await shifted(-h))) / (2 * h);
        }),
      );
      worst = Math.max(worst, maxRelError(grads[`${name}_grad`].data, numeric, 1e-2));
    }
    console.log(`MLP gradient vs central differences: max rel error ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(2e-3);
  });

  it('mse on the Softmax output (no bypass) equals mean((p − y)²) of the inference model', async () => {
    const model = mlp();
    const a = generateArtifacts(model, { loss: 'mse' });
    const probs = (await run(model, { x })).probs.data;
    const mse = Array.from(probs, (p, i) => (p - labels.data[i]) ** 2).reduce((s, v) => s + v, 0) / probs.length;
    const out = await run(a.trainingModel, { x, labels, ...parameterFeeds(a) });
    expect(maxRelError(out.loss.data, [mse])).toBeLessThan(1e-5);
  });

  it('an opset-11 model (coerced Softmax) is upgraded to 17 and trains through its Softmax', async () => {
    const old = mlp();
    old.opsetImports = [{ domain: '', version: 11 }];
    const a = generateArtifacts(old);
    expect(a.summary).toMatchObject({ modelOpset: 11, opset: 17 });
    expect(a.summary.bypassedSoftmax).toBeDefined();
    const probs = (await run(old, { x })).probs.data;
    const ce = -classes.reduce((s, k, i) => s + Math.log(probs[i * 3 + k]), 0) / 5;
    const out = await run(a.trainingModel, { x, labels, ...parameterFeeds(a) });
    expect(maxRelError(out.loss.data, [ce])).toBeLessThan(1e-5);
    const evalOut = await run(a.evalModel, { x, labels, ...parameterFeeds(a) });
    expect(maxRelError(evalOut.probs.data, probs)).toBeLessThan(1e-6);
  });
});

describe('generateArtifacts: CNN with BatchNormalization', () => {
  it('BN statistics stay constant; Adam with clipping and plain SGD both lower the loss', async () => {
    const x = batch(4, [1, 6, 6], 20);
    const labels = oneHot([2, 0, 1, 2], 3);
    const sgd = await lowersLoss(cnn(), { optimizer: 'sgd' }, x, labels, 0.1);
    expect(sgd.a.summary.trainable.map((t) => t.name)).toEqual(['conv.w', 'conv.b', 'bn.scale', 'bn.bias', 'fc.w', 'fc.b']);
    expect(sgd.a.trainingModel.graph.initializers.map((t) => t.name)).toEqual(expect.arrayContaining(['bn.mean', 'bn.var']));
    expect(sgd.after).toBeLessThan(sgd.before);
    const adam = await lowersLoss(cnn(), { optimizer: 'adam', clipGradNorm: 1, labelSmoothing: 0.1 }, x, labels, 0.01);
    expect(adam.after).toBeLessThan(adam.before);
    console.log(`CNN loss ${sgd.before.toFixed(5)} → ${sgd.after.toFixed(5)} (SGD), ${adam.before.toFixed(5)} → ${adam.after.toFixed(5)} (Adam)`);
  });
});

describe('generateArtifacts: mnist-8 (CNTK export, opset 8)', () => {
  it('gets artifacts whose one SGD step lowers the loss on a fixed batch', async () => {
    const model = decodeModel(readFileSync(path.join(fixtures, 'models/mnist-onnx/mnist-8.onnx')));
    const x = { dims: [1, 1, 28, 28], data: seeded(784, 30, 0, 1) };
    const { a, before, after } = await lowersLoss(model, { optimizer: 'sgd' }, x, oneHot([7], 10), 1e-3);
    expect(a.summary.modelOpset).toBe(8);
    expect(a.summary.trainable.map((t) => t.name).sort()).toEqual(['Parameter193', 'Parameter194', 'Parameter5', 'Parameter6', 'Parameter87', 'Parameter88']);
    expect(after).toBeLessThan(before);
    console.log(`mnist-8 loss ${before.toFixed(5)} → ${after.toFixed(5)} after one SGD step`);
  });
});

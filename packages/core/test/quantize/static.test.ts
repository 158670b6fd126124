import { describe, expect, it } from 'vitest';
import { encodeModel, modelAccuracy, QUANTIZATION_KEY, quantizeModel, readRecipe } from '@onnxkit/node';
import { digits, mnistCnn, ops } from './helpers.js';

// Static int8 QDQ on the shipped digit model, judged on the 1,000 held-out digits.
describe('static int8 quantization (QDQ) of mnist-cnn', () => {
  it('is at least 3.5x smaller, per-channel, and loses at most 0.3 accuracy points', async () => {
    const model = mnistCnn();
    const before = encodeModel(model);
    const { calibration, validation } = digits();
    const { model: q, report } = await quantizeModel(model, { calibration });
    expect(encodeModel(model)).toEqual(before); // the input model is untouched

    expect(report.quantized).toEqual(['conv1', 'conv2', 'conv3', 'fc1', 'fc2']);
    const after = encodeModel(q);
    expect(before.byteLength / after.byteLength).toBeGreaterThanOrEqual(3.5);
    // Weights are int8 with one scale per output channel; biases int32.
    const w = q.graph.initializers.find((t) => t.name === 'conv2.weight_quantized')!;
    expect(w.dtype).toBe('int8');
    expect(q.graph.initializers.find((t) => t.name === 'conv2.weight_scale')!.dims).toEqual([64]);
    expect(q.graph.initializers.find((t) => t.name === 'conv2.bias_quantized')!.dtype).toBe('int32');
    expect(q.graph.initializers.some((t) => t.dtype === 'float32' && t.dims.length > 1)).toBe(false);
    // ReLUs are folded into the activation quantization; float ops stay only where ORT cannot fuse.
    expect(ops(q)).not.toContain('Relu');
    // input, conv1-3 and fc1 outputs, and the MaxPool/Flatten outputs that run on int8 with their input's scale.
    expect(ops(q).filter((o) => o === 'QuantizeLinear')).toHaveLength(8);
    expect(readRecipe(q)).toMatchObject({ mode: 'static', perChannel: true, method: 'minmax', activationType: 'uint8' });
    expect(Object.keys(readRecipe(q)!.ranges!)).toContain('conv1_relu_out');

    const fp32 = await modelAccuracy(before, validation);
    const int8 = await modelAccuracy(after, validation);
    expect(fp32.accuracy - int8.accuracy).toBeLessThanOrEqual(0.003);
  });

  it('calibrates with percentile and entropy too; entropy clips below the observed maximum', async () => {
    const model = mnistCnn();
    const { calibration, validation } = digits();
    const minmax = readRecipe((await quantizeModel(model, { calibration, method: 'minmax' })).model)!.ranges!;
    const pct = await quantizeModel(model, { calibration, method: 'percentile', percentile: 99.99 });
    const ent = await quantizeModel(model, { calibration, method: 'entropy' });
    const pr = readRecipe(pct.model)!.ranges!;
    const er = readRecipe(ent.model)!.ranges!;
    for (const name of Object.keys(minmax)) {
      expect(pr[name][1]).toBeLessThanOrEqual(minmax[name][1]);
      expect(er[name][1]).toBeLessThanOrEqual(minmax[name][1]);
    }
    expect(Object.keys(minmax).some((n) => er[n][1] < minmax[n][1] * 0.9)).toBe(true);
    const fp32 = (await modelAccuracy(model, validation)).accuracy;
    expect(fp32 - (await modelAccuracy(pct.model, validation)).accuracy).toBeLessThanOrEqual(0.003);
    // Entropy trades outliers for resolution; on this model it clips hard (see docs/EDGE.md), but still classifies.
    expect((await modelAccuracy(ent.model, validation)).accuracy).toBeGreaterThan(0.9);
  });

  it('supports per-tensor scales and int8 activations', async () => {
    const { calibration, validation } = digits();
    const { model: q } = await quantizeModel(mnistCnn(), { calibration, perChannel: false, activationType: 'int8' });
    expect(q.graph.initializers.find((t) => t.name === 'conv2.weight_scale')!.dims).toEqual([]);
    expect(q.graph.initializers.find((t) => t.name === 'input_zero_point')!.dtype).toBe('int8');
    expect((await modelAccuracy(q, validation)).accuracy).toBeGreaterThan(0.98);
  });

  it('leaves excluded layers in float and checks the names', async () => {
    const { calibration } = digits();
    const { model: q, report } = await quantizeModel(mnistCnn(), { calibration, exclude: ['fc2'] });
    expect(report.quantized).not.toContain('fc2');
    expect(report.skipped).toEqual([{ node: 'fc2', opType: 'Gemm', reason: 'excluded by name' }]);
    const fc2 = q.graph.nodes.find((n) => n.name === 'fc2')!;
    expect(fc2.inputs[1]).toBe('fc2.weight');
    expect(q.graph.initializers.find((t) => t.name === 'fc2.weight')!.dtype).toBe('float32');
    await expect(quantizeModel(mnistCnn(), { calibration, exclude: ['fc9'] })).rejects.toThrow(/exclude names 'fc9', which is no node.*fc1, fc1_relu, fc2, softmax/);
  });

  it('refuses clearly: no calibration data, bad options, a model quantized already', async () => {
    const { calibration } = digits();
    await expect(quantizeModel(mnistCnn())).rejects.toThrow(/static mode needs 'calibration' data/);
    await expect(quantizeModel(mnistCnn(), { mode: 'int4' as never })).rejects.toThrow(RangeError);
    await expect(quantizeModel(mnistCnn(), { calibration, method: 'kl' as never })).rejects.toThrow(/method must be/);
    const { model: q } = await quantizeModel(mnistCnn(), { mode: 'weight-only' });
    expect(q.metadata[QUANTIZATION_KEY]).toBeDefined();
    await expect(quantizeModel(q, { calibration })).rejects.toThrow(/quantized already/);
  });
});

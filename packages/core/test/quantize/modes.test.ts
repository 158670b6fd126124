import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, GraphBuilder, modelAccuracy, quantizeModel, Random, type Model } from '@onnxkit/node';
import { mnist8Path } from '../../../../test/support/paths.js';
import { digits, mnistCnn, ops, take } from './helpers.js';

async function outputs(model: Model | Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(model instanceof Uint8Array ? model : encodeModel(model), { logSeverityLevel: 3 });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('dynamic int8 quantization', () => {
  it('quantizes the Gemm layers with standard ops, keeps the Convs float, keeps accuracy', async () => {
    const { validation } = digits();
    const { model: q, report } = await quantizeModel(mnistCnn(), { mode: 'dynamic' });
    expect(report.quantized).toEqual(['fc1', 'fc2']);
    expect(ops(q).filter((o) => o === 'MatMulInteger')).toHaveLength(2);
    expect(ops(q).filter((o) => o === 'DynamicQuantizeLinear')).toHaveLength(2);
    expect(ops(q)).not.toContain('Gemm');
    expect(q.graph.nodes.every((n) => n.domain === '')).toBe(true);
    expect(q.graph.initializers.find((t) => t.name === 'fc1.weight_quantized')).toMatchObject({ dtype: 'int8', dims: [576, 64] });
    expect(encodeModel(q).byteLength).toBeLessThan(encodeModel(mnistCnn()).byteLength * 0.75);
    const drop = (await modelAccuracy(mnistCnn(), validation)).accuracy - (await modelAccuracy(q, validation)).accuracy;
    expect(drop).toBeLessThanOrEqual(0.003);
  });

  it('quantizes a MatMul model (per-column and per-tensor) close to the float result', async () => {
    const rng = new Random(3);
    const b = new GraphBuilder({ opset: 17 });
    const x = b.input('x', 'float32', ['N', 3, 16]);
    const w = b.initializer('w', 'float32', [16, 8], Float32Array.from({ length: 128 }, () => rng.next() - 0.5));
    b.output(b.op('MatMul', [x, w], {}, { name: 'mm', output: 'y' }), 'float32', ['N', 3, 8]);
    const model = b.build();
    const feeds = { x: new ort.Tensor('float32', Float32Array.from({ length: 96 }, () => rng.next() * 2 - 1), [2, 3, 16]) };
    const ref = (await outputs(model, feeds)).y.data as Float32Array;
    for (const perChannel of [true, false]) {
      const { model: q } = await quantizeModel(model, { mode: 'dynamic', perChannel });
      const got = (await outputs(q, feeds)).y.data as Float32Array;
      expect(maxAbsDiff(got, ref)).toBeLessThan(0.05);
      // 7-bit levels: CPUs without VNNI saturate uint8 × int8 pair sums of full-range weights (the check above fails there without it).
      const levels = Array.from(q.graph.initializers.find((t) => t.name === 'w_quantized')!.data as Int8Array, Math.abs);
      expect(Math.max(...levels)).toBe(63);
    }
    // Static too: only the graph input needs a range (the output stays float: MatMulInteger returns it).
    const calibration = [{ x: { data: feeds.x.data as Float32Array, dims: [2, 3, 16] } }];
    const { model: s } = await quantizeModel(model, { calibration });
    expect(ops(s)).toEqual(['DequantizeLinear', 'QuantizeLinear', 'DequantizeLinear', 'MatMul']);
    expect(maxAbsDiff((await outputs(s, feeds)).y.data as Float32Array, ref)).toBeLessThan(0.05);
  });
});

describe('weight-only int8', () => {
  it('stores every weight int8 and computes in float, outputs within the weight rounding', async () => {
    const model = mnistCnn();
    const { model: q, report } = await quantizeModel(model, { mode: 'weight-only' });
    expect(report.quantized).toHaveLength(5);
    expect(q.graph.initializers.filter((t) => t.dtype === 'int8' && t.dims.length > 1)).toHaveLength(5);
    expect(ops(q)).toContain('Relu');
    expect(encodeModel(model).byteLength / encodeModel(q).byteLength).toBeGreaterThan(3.5);
    const x = new ort.Tensor('float32', take(digits().validation, 32).images, [32, 1, 28, 28]);
    const a = (await outputs(model, { input: x })).probabilities.data as Float32Array;
    const c = (await outputs(q, { input: x })).probabilities.data as Float32Array;
    expect(maxAbsDiff(a, c)).toBeLessThan(0.02);
  });
});

describe('fp16', () => {
  it('halves the file, keeps float32 inputs and outputs, and the predictions', async () => {
    const model = mnistCnn();
    const { model: h, report } = await quantizeModel(model, { mode: 'fp16' });
    expect(h.graph.inputs[0].type).toMatchObject({ dtype: 'float32' });
    expect(h.graph.outputs[0]).toMatchObject({ name: 'probabilities' });
    expect(h.graph.initializers.every((t) => t.dtype === 'float16')).toBe(true);
    expect(ops(h)[0]).toBe('Cast');
    expect(ops(h).at(-1)).toBe('Cast');
    expect(report.skipped).toEqual([]);
    const ratio = encodeModel(model).byteLength / encodeModel(h).byteLength;
    expect(ratio).toBeGreaterThan(1.9);
    const x = new ort.Tensor('float32', take(digits().validation, 32).images, [32, 1, 28, 28]);
    const out = (await outputs(h, { input: x })).probabilities;
    expect(out.type).toBe('float32');
    const ref = (await outputs(model, { input: x })).probabilities.data as Float32Array;
    expect(maxAbsDiff(out.data as Float32Array, ref)).toBeLessThan(5e-3);
  });

  it('keeps excluded nodes float32 behind Casts', async () => {
    const { model: h, report } = await quantizeModel(mnistCnn(), { mode: 'fp16', exclude: ['fc2', 'softmax'] });
    expect(report.skipped.map((s) => s.node)).toEqual(['fc2', 'softmax']);
    const fc2 = h.graph.nodes.find((n) => n.name === 'fc2')!;
    expect(h.graph.initializers.find((t) => t.name === fc2.inputs[1])!.dtype).toBe('float32');
    const x = new ort.Tensor('float32', take(digits().validation, 4).images, [4, 1, 28, 28]);
    expect((await outputs(h, { input: x })).probabilities.type).toBe('float32');
  });
});

describe('an old export: mnist-8 (CNTK, opset 8, weights listed as graph inputs)', () => {
  it('is upgraded to opset 13 and quantized statically; predictions mostly unchanged', async () => {
    const model = decodeModel(readFileSync(mnist8Path));
    // mnist-8 wants 0..255 pixels, one image per run.
    const cal = take(digits().calibration, 64);
    const one = (ds: typeof cal, i: number) => ds.images.slice(i * 784, (i + 1) * 784).map((v) => v * 255);
    const calibration = Array.from({ length: 64 }, (_, i) => ({ Input3: { data: one(cal, i), dims: [1, 1, 28, 28] } }));
    const { model: q, report } = await quantizeModel(model, { calibration });
    expect(report.quantized).toHaveLength(3); // two Convs and the MatMul
    expect(q.opsetImports.find((o) => o.domain === '')!.version).toBe(13);
    const val = take(digits().validation, 100);
    const argmax = (t: ort.Tensor) => {
      const d = Array.from(t.data as Float32Array);
      return d.indexOf(Math.max(...d));
    };
    const s1 = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
    const s2 = await ort.InferenceSession.create(encodeModel(q), { logSeverityLevel: 3 });
    let same = 0;
    for (let i = 0; i < 100; i++) {
      const x = { Input3: new ort.Tensor('float32', one(val, i), [1, 1, 28, 28]) };
      if (argmax((await s1.run(x)).Plus214_Output_0) === argmax((await s2.run(x)).Plus214_Output_0)) same++;
    }
    await s1.release();
    await s2.release();
    expect(same).toBeGreaterThanOrEqual(97);
  });
});

import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, validateModel } from '@onnxkit/core';
import { buildSeedCnn, SEED_CNN_PARAMETERS, fans } from '../../packages/core/src/models/index.js';
import { Random } from '../../packages/core/src/data/random.js';

describe('buildSeedCnn', () => {
  it('builds the DESIGN CNN at opset 17 with readable parameter names and shapes', async () => {
    const model = buildSeedCnn();
    validateModel(model);
    expect(model.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual([
      'Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Softmax',
    ]);
    expect(model.graph.initializers.map((t) => [t.name, t.dims])).toEqual(SEED_CNN_PARAMETERS.map((p) => [p.name, [...p.shape]]));
    expect(SEED_CNN_PARAMETERS.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)).toBe(93_322);
    expect(model.graph.inputs.map((v) => [v.name, v.type])).toEqual([['input', { kind: 'tensor', dtype: 'float32', shape: ['N', 1, 28, 28] }]]);
    expect(model.graph.outputs.map((v) => v.name)).toEqual(['probabilities']);
    expect(buildSeedCnn({ output: 'logits' }).graph.outputs.map((v) => v.name)).toEqual(['logits']);

    const session = await ort.InferenceSession.create(encodeModel(model));
    const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(3 * 784).fill(0.3), [3, 1, 28, 28]) });
    const p = out.probabilities;
    expect(p.dims).toEqual([3, 10]);
    for (let r = 0; r < 3; r++) expect((p.data as Float32Array).slice(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    await session.release();
  });

  it('initialises Glorot-uniform kernels and zero biases, reproducibly from the seed', () => {
    const a = buildSeedCnn({ seed: 7 });
    const b = decodeModel(encodeModel(buildSeedCnn({ seed: 7 })));
    const c = buildSeedCnn({ seed: 8 });
    for (const [i, t] of a.graph.initializers.entries()) {
      const data = t.data as Float32Array;
      expect(b.graph.initializers[i].data).toEqual(data);
      if (t.dims.length === 1) {
        expect(data.every((v) => v === 0)).toBe(true);
        continue;
      }
      const { fanIn, fanOut } = fans(t.dims);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const max = data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(max).toBeLessThanOrEqual(limit);
      expect(max).toBeGreaterThan(0.9 * limit);
      // Uniform on [-l, l] has variance l²/3.
      const variance = data.reduce((s, v) => s + v * v, 0) / data.length;
      expect(variance / (limit * limit / 3)).toBeGreaterThan(data.length > 1000 ? 0.9 : 0.6);
      expect(variance / (limit * limit / 3)).toBeLessThan(data.length > 1000 ? 1.1 : 1.4);
      expect(c.graph.initializers[i].data).not.toEqual(data);
    }
    expect(fans([64, 32, 3, 3])).toEqual({ fanIn: 288, fanOut: 576 });
    expect(fans([10, 64])).toEqual({ fanIn: 64, fanOut: 10 });
  });

  it('loads given weights and leaves the others as the seed made them', () => {
    const w = new Float32Array(320).fill(0.5);
    const model = buildSeedCnn({ weights: { 'conv1.weight': w.subarray(0, 288) } });
    expect(model.graph.initializers[0].data).toEqual(w.subarray(0, 288));
    expect(model.graph.initializers[2].data).toEqual(buildSeedCnn().graph.initializers[2].data);
  });

  it('names the argument in its errors', () => {
    expect(() => buildSeedCnn({ weights: { 'conv9.weight': new Float32Array(1) } })).toThrow(RangeError);
    expect(() => buildSeedCnn({ weights: { 'conv9.weight': new Float32Array(1) } })).toThrow(/'weights' has an unknown parameter 'conv9.weight'/);
    expect(() => buildSeedCnn({ weights: { 'fc2.bias': new Float32Array(9) } })).toThrow(/'weights.fc2.bias' needs 10 values/);
    expect(() => buildSeedCnn({ weights: { 'fc2.bias': [1] as unknown as Float32Array } })).toThrow(TypeError);
    expect(() => buildSeedCnn({ output: 'softmax' as 'logits' })).toThrow(/'output'/);
    expect(() => buildSeedCnn({ seed: 0.5 })).toThrow(TypeError);
  });
});

describe('Random', () => {
  it('is deterministic, resumable from state(), and uniform/normal as documented', () => {
    const a = new Random(42);
    const first = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => new Random(42)).map((r) => r.next())).toEqual(Array(5).fill(first[0]));
    const s = a.state();
    const rest = [a.next(), a.normal(), a.int(10), a.uniform(-2, 3)];
    const b = Random.fromState(s);
    expect([b.next(), b.normal(), b.int(10), b.uniform(-2, 3)]).toEqual(rest);

    const r = new Random(1);
    const u = r.fillUniform(new Float32Array(20_000), -1, 1);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((x, y) => x + y, 0) / u.length)).toBeLessThan(0.02);
    const n = r.fillNormal(new Float32Array(20_000), 2, 3);
    const mean = n.reduce((x, y) => x + y, 0) / n.length;
    const sd = Math.sqrt(n.reduce((x, y) => x + (y - mean) ** 2, 0) / n.length);
    expect(mean).toBeCloseTo(2, 1);
    expect(sd).toBeGreaterThan(2.9);
    expect(sd).toBeLessThan(3.1);
    expect(r.shuffle([1, 2, 3, 4, 5, 6]).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects bad arguments by name', () => {
    expect(() => new Random(1.5)).toThrow(/'seed'/);
    expect(() => Random.fromState(-1)).toThrow(RangeError);
    expect(() => new Random(0).int(0)).toThrow(/'n'/);
  });
});

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { encodeModel } from '../../src/onnx/codec/model-codec.js';
import type { Dim } from '../../src/onnx/ir.js';
import { appendBackward } from '../../src/train/autodiff/index.js';
import { gradCheck, record, rng, uniform } from './gradcheck.js';

const d = 'float64' as const;

describe('BatchNormalization vs central differences (float64)', () => {
  const cases: { name: string; x: number[]; xShape?: Dim[]; opset?: number; training?: boolean }[] = [
    { name: 'inference mode, NCHW', x: [2, 3, 4, 5] },
    { name: 'inference mode, batch 1, symbolic batch', x: [1, 3, 3, 3], xShape: ['N', 3, 3, 3] },
    { name: 'inference mode, [N, C]', x: [4, 3] },
    { name: 'inference mode, opset 11', x: [2, 2, 3, 3], opset: 11 },
    { name: 'training mode (batch statistics), opset 15', x: [3, 2, 3, 2], opset: 15, training: true },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = rng(c.name.length * 3);
      const ch = c.x[1];
      const rep = await gradCheck({
        dtype: d,
        opset: c.opset,
        inputs: {
          x: { ...uniform(r, c.x, -2, 2, d), shape: c.xShape ?? c.x },
          scale: uniform(r, [ch], 0.5, 1.5, d),
          bias: uniform(r, [ch], -1, 1, d),
          mean: uniform(r, [ch], -0.5, 0.5, d),
          variance: uniform(r, [ch], 0.5, 2, d),
        },
        wrt: c.training ? ['x', 'scale', 'bias'] : undefined,
        forward: (b, n) =>
          b.node('BatchNormalization', [n.x, n.scale, n.bias, n.mean, n.variance], { epsilon: 1e-3, ...(c.training ? { training_mode: 1 } : {}) }, { outputs: c.training ? 3 : 1 })[0],
      });
      record(`normalization/BatchNormalization ${c.name}`, rep);
      expect(rep.worst).toBeLessThanOrEqual(1);
    });
  }
});

describe('Dropout', () => {
  it('is the identity in inference (opset 11; opset 13 without training_mode; training_mode false)', async () => {
    for (const [opset, extra] of [[11, []], [13, []], [13, ['ratio', 'false']]] as const) {
      const r = rng(opset);
      const rep = await gradCheck({
        dtype: d,
        opset,
        inputs: { x: uniform(r, [3, 4], -1, 1, d) },
        forward: (b, n) => {
          const ins = [n.x];
          if (extra.length) ins.push(b.constant('ratio', d, [], [0.3]), b.constant('t', 'bool', [], [0]));
          return b.op('Dropout', ins);
        },
      });
      expect(rep.worst).toBeLessThanOrEqual(1);
      expect(rep.opTypes).not.toContain('Where');
    }
  });

  for (const mode of ['constant true, mask output omitted', 'runtime training_mode input, mask output used'] as const) {
    it(`training: dX = dY·mask/(1−ratio) with the forward's own mask (${mode})`, async () => {
      const ratio = 0.4;
      const b = new GraphBuilder({ opset: 17 });
      const x = b.input('x', 'float32', [4, 50]);
      const dy = b.input('dy', 'float32', [4, 50]);
      const dynamic = mode.startsWith('runtime');
      const training = dynamic ? b.input('training', 'bool', []) : b.constant('t', 'bool', [], [1]);
      const ratioName = b.constant('ratio', 'float32', [], [ratio]);
      const [y, mask] = b.node('Dropout', [x, ratioName, training], {}, { outputs: dynamic ? 2 : 1 });
      b.output(y, 'float32');
      if (mask) b.output(mask, 'bool');
      const grads = appendBackward(b, { loss: y, wrt: [x], seed: dy });
      b.output(grads.get(x) as string, 'float32');
      const sess = await ort.InferenceSession.create(encodeModel(b.build()));
      const r = rng(9);
      const xs = Float32Array.from({ length: 200 }, () => 0.5 + r());
      const dys = Float32Array.from({ length: 200 }, () => r() - 0.5);
      for (const flag of dynamic ? [true, false] : [true]) {
        const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', xs, [4, 50]), dy: new ort.Tensor('float32', dys, [4, 50]) };
        if (dynamic) feeds.training = new ort.Tensor('bool', [flag], []);
        const out = await sess.run(feeds);
        const yv = out[y].data as Float32Array;
        const gx = out[grads.get(x) as string].data as Float32Array;
        const scale = flag ? 1 / (1 - ratio) : 1;
        let dropped = 0;
        for (let i = 0; i < 200; i++) {
          const kept = yv[i] !== 0;
          if (!kept) dropped++;
          expect(gx[i]).toBeCloseTo(kept ? dys[i] * scale : 0, 5);
        }
        if (flag) expect(dropped).toBeGreaterThan(20);
        else expect(dropped).toBe(0);
      }
    });
  }
});

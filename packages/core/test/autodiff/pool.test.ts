import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { encodeModel } from '../../src/onnx/codec/model-codec.js';
import type { Dim } from '../../src/onnx/ir.js';
import { appendBackward } from '../../src/train/autodiff/index.js';
import { ARTIFACT_TARGETS, type ArtifactTarget } from '../../src/train/artifacts/targets.js';
import { distinct, gradCheck, record, rng, uniform, type TensorFeed } from './gradcheck.js';

const TARGETS = Object.keys(ARTIFACT_TARGETS) as ArtifactTarget[];
/** Ops the portable MaxPool backward must not use (WebGPU cannot run them or MaxPool's Indices). */
const SCATTERS = ['MaxUnpool', 'ScatterElements', 'ScatterND', 'CumSum', 'ArgMax'];

interface PoolCase {
  name: string;
  op: 'MaxPool' | 'AveragePool' | 'GlobalAveragePool' | 'GlobalMaxPool';
  x: number[];
  attrs?: Record<string, number | number[] | string>;
  xShape?: Dim[];
  opset?: number;
  /** Portable fast path expected (no Conv in the backward pass). */
  blocked?: boolean;
  negative?: boolean;
}

const cases: PoolCase[] = [
  { name: 'MaxPool 2x2/2, 8x8', op: 'MaxPool', x: [2, 3, 8, 8], attrs: { kernel_shape: [2, 2], strides: [2, 2] }, blocked: true },
  { name: 'MaxPool 2x2/2, odd 11 → 5, batch 1', op: 'MaxPool', x: [1, 2, 11, 11], attrs: { kernel_shape: [2, 2], strides: [2, 2] }, blocked: true },
  { name: 'MaxPool 3x3/3, 10x11 → 3x3', op: 'MaxPool', x: [2, 1, 10, 11], attrs: { kernel_shape: [3, 3], strides: [3, 3] }, blocked: true },
  { name: 'MaxPool 2x2/2 symbolic batch', op: 'MaxPool', x: [3, 2, 6, 6], attrs: { kernel_shape: [2, 2], strides: [2, 2] }, xShape: ['N', 2, 6, 6], blocked: true },
  { name: 'MaxPool 1-D k=s=2, 9 → 4', op: 'MaxPool', x: [2, 3, 9], attrs: { kernel_shape: [2], strides: [2] }, blocked: true },
  { name: 'MaxPool 3-D k=s=2', op: 'MaxPool', x: [1, 2, 4, 5, 4], attrs: { kernel_shape: [2, 2, 2], strides: [2, 2, 2] }, blocked: true },
  { name: 'MaxPool 3x3/2 pads 1, 11 → 6 (general)', op: 'MaxPool', x: [2, 2, 11, 11], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'MaxPool 3x3/2 pads 1, all negative values', op: 'MaxPool', x: [1, 2, 7, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, negative: true },
  { name: 'MaxPool 3x3/1 overlapping', op: 'MaxPool', x: [2, 1, 6, 7], attrs: { kernel_shape: [3, 3] } },
  { name: 'MaxPool 2x2/2 ceil_mode 11 → 6', op: 'MaxPool', x: [1, 2, 11, 11], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } },
  { name: 'MaxPool 2x2 dilation 2', op: 'MaxPool', x: [2, 1, 8, 9], attrs: { kernel_shape: [2, 2], dilations: [2, 2], strides: [1, 2] } },
  { name: 'MaxPool SAME_UPPER 3x3/2 on 7', op: 'MaxPool', x: [1, 2, 7, 7], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' } },
  { name: 'AveragePool 2x2/2, 8x8', op: 'AveragePool', x: [2, 3, 8, 8], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  { name: 'AveragePool 2x2/2, odd 11 → 5, batch 1', op: 'AveragePool', x: [1, 2, 11, 11], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
  { name: 'AveragePool 3x3/2 pads 1 exclude pad', op: 'AveragePool', x: [2, 2, 9, 10], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'AveragePool 3x3/2 pads 1 count_include_pad', op: 'AveragePool', x: [2, 2, 9, 10], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 } },
  { name: 'AveragePool 2x2/2 ceil_mode 11 → 6', op: 'AveragePool', x: [1, 2, 11, 11], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } },
  { name: 'AveragePool SAME_LOWER 3x3/2 on 8', op: 'AveragePool', x: [1, 1, 8, 8], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' } },
  { name: 'AveragePool dilation 2 (opset 19)', op: 'AveragePool', x: [1, 2, 9, 9], attrs: { kernel_shape: [2, 2], dilations: [2, 2], strides: [2, 2] }, opset: 19 },
  { name: 'AveragePool 1-D', op: 'AveragePool', x: [2, 2, 10], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] } },
  { name: 'MaxPool 2x2/2 on 11x11, unknown sizes (runtime shapes)', op: 'MaxPool', x: [2, 2, 11, 11], attrs: { kernel_shape: [2, 2], strides: [2, 2] }, xShape: ['N', 2, 'H', 'W'], blocked: false },
  { name: 'MaxPool 3x3/2 pads 1 ceil_mode, unknown sizes', op: 'MaxPool', x: [1, 2, 10, 9], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, xShape: ['N', 2, 'H', 'W'] },
  { name: 'AveragePool 3x3/2 pads 1 count_include_pad, unknown sizes', op: 'AveragePool', x: [2, 2, 9, 10], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }, xShape: ['N', 2, 'H', 'W'] },
  { name: 'AveragePool 2x2/2 ceil_mode 11 → 6, unknown sizes', op: 'AveragePool', x: [1, 2, 11, 11], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }, xShape: ['N', 2, 'H', 'W'] },
  { name: 'GlobalAveragePool', op: 'GlobalAveragePool', x: [2, 3, 5, 7] },
  { name: 'GlobalAveragePool, unknown spatial sizes', op: 'GlobalAveragePool', x: [2, 3, 4, 3], xShape: ['N', 3, 'H', 'W'] },
  { name: 'GlobalMaxPool', op: 'GlobalMaxPool', x: [2, 3, 4, 5] },
];

describe.each(TARGETS)('pooling gradients vs central differences (float32; pooling is piecewise linear, inputs without ties), target %s', (target) => {
  for (const c of cases) {
    it(c.name, async () => {
      const r = rng(c.name.length * 17);
      const base = c.op === 'MaxPool' || c.op === 'GlobalMaxPool' ? distinct(r, c.x) : uniform(r, c.x);
      if (c.negative) base.data.forEach((v, i) => (base.data[i] = v - 10));
      const x: TensorFeed = { ...base, shape: c.xShape ?? c.x };
      const rep = await gradCheck({
        opset: c.opset,
        inputs: { x },
        eps: 0.01,
        atol: 2e-4,
        rtol: 1e-3,
        seed: c.xShape?.includes('H'),
        forward: (b, n) => b.op(c.op, [n.x], c.attrs ?? {}),
        options: { features: ARTIFACT_TARGETS[target].features },
      });
      record(`pool/${target}/${c.name}`, rep);
      expect(rep.worst).toBeLessThanOrEqual(1);
      if (target === 'portable') {
        if (c.blocked !== undefined) expect(rep.opTypes.includes('Conv')).toBe(!c.blocked);
        for (const op of SCATTERS) expect(rep.opTypes).not.toContain(op);
      } else if (c.op === 'MaxPool') {
        // The CPU target scatters to recorded positions instead of re-finding each window's maximum.
        expect(rep.opTypes.some((op) => op === 'MaxUnpool' || op === 'ScatterElements')).toBe(true);
        expect(rep.opTypes).not.toContain('Conv');
      }
    });
  }
});

/** First-max reference: per window the gradient goes to the first maximal element (row-major). */
function firstMaxReference(x: Float32Array, h: number, w: number, k: number, s: number, pad: number, dy: Float32Array): Float32Array {
  const oh = Math.floor((h + 2 * pad - k) / s) + 1;
  const ow = Math.floor((w + 2 * pad - k) / s) + 1;
  const dx = new Float32Array(h * w);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      let best = -1;
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          const y = i * s - pad + a;
          const xx = j * s - pad + b;
          if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
          if (best < 0 || x[y * w + xx] > x[best]) best = y * w + xx;
        }
      }
      dx[best] += dy[i * ow + j];
    }
  }
  return dx;
}

describe.each(TARGETS)('MaxPool tie-breaking: the first maximum of each window gets the gradient, target %s', (target) => {
  for (const [name, k, s, pad, size] of [
    ['blocked 2x2/2', 2, 2, 0, 7],
    ['blocked 2x2/2, even size', 2, 2, 0, 8],
    ['blocked 3x3/3', 3, 3, 0, 10],
    ['general 3x3/2 pads 1 (overlapping)', 3, 2, 1, 7],
    ['general 2x2/3 (disjoint, gaps)', 2, 3, 0, 8],
  ] as const) {
    it(name, async () => {
      const [h, w] = [size, size];
      // Few distinct levels: many ties, including whole windows of equal values (ReLU zeros).
      const r = rng(3);
      const xData = Float32Array.from({ length: h * w }, () => Math.max(0, Math.floor(r() * 4) - 2));
      const b = new GraphBuilder({ opset: 17 });
      const x = b.input('x', 'float32', [1, 1, h, w]);
      const y = b.op('MaxPool', [x], { kernel_shape: [k, k], strides: [s, s], pads: [pad, pad, pad, pad] });
      const oh = Math.floor((h + 2 * pad - k) / s) + 1;
      const dy = b.input('dy', 'float32', [1, 1, oh, oh]);
      const grads = appendBackward(b, { loss: y, wrt: [x], seed: dy, features: ARTIFACT_TARGETS[target].features });
      b.output(grads.get(x) as string, 'float32');
      const sess = await ort.InferenceSession.create(encodeModel(b.build()));
      const dyData = Float32Array.from({ length: oh * oh }, (_, i) => i + 1);
      const out = await sess.run({ x: new ort.Tensor('float32', xData, [1, 1, h, w]), dy: new ort.Tensor('float32', dyData, [1, 1, oh, oh]) });
      const got = out[grads.get(x) as string].data as Float32Array;
      expect(Array.from(got)).toEqual(Array.from(firstMaxReference(xData, h, w, k, s, pad, dyData)));
    });
  }
});

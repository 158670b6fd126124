import { describe, expect, it } from 'vitest';
import type { Dim } from '../../src/onnx/ir.js';
import { gradCheck, record, rng, uniform } from './gradcheck.js';

interface ConvCase {
  name: string;
  x: number[];
  w: number[];
  bias?: boolean;
  attrs?: Record<string, number | number[] | string>;
  xShape?: Dim[];
}

const cases: ConvCase[] = [
  { name: '3x3, bias', x: [2, 3, 7, 7], w: [4, 3, 3, 3], bias: true },
  { name: 'batch 1, stride 2, pads 1, odd size 11', x: [1, 2, 11, 11], w: [3, 2, 3, 3], bias: true, attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'stride 2, no pad, remainder 1 (8 → 3)', x: [2, 2, 8, 8], w: [2, 2, 3, 3], attrs: { strides: [2, 2] } },
  { name: 'stride 3, remainder 2 (10 → 3)', x: [1, 1, 10, 9], w: [2, 1, 2, 2], attrs: { strides: [3, 3] } },
  { name: 'dilation 2, asymmetric pads', x: [2, 2, 9, 8], w: [3, 2, 3, 2], bias: true, attrs: { dilations: [2, 2], pads: [1, 2, 0, 1] } },
  { name: 'dilation 2 + stride 2 (remainder ≥ dilation)', x: [1, 2, 12, 12], w: [2, 2, 3, 3], attrs: { dilations: [2, 2], strides: [2, 2] } },
  { name: 'group 2, stride 2', x: [2, 4, 9, 9], w: [6, 2, 3, 3], bias: true, attrs: { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] } },
  { name: 'depthwise (group = C = 3)', x: [2, 3, 6, 6], w: [3, 1, 3, 3], bias: true, attrs: { group: 3, pads: [1, 1, 1, 1] } },
  { name: 'auto_pad SAME_UPPER stride 2 (7 → 4)', x: [1, 2, 7, 7], w: [2, 2, 3, 3], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } },
  { name: 'auto_pad SAME_LOWER stride 2 kernel 4', x: [1, 2, 7, 6], w: [2, 2, 4, 4], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] } },
  { name: 'auto_pad VALID', x: [2, 1, 6, 6], w: [2, 1, 3, 3], attrs: { auto_pad: 'VALID' } },
  { name: 'non-square kernel and strides', x: [2, 2, 7, 9], w: [3, 2, 2, 3], attrs: { strides: [1, 2], pads: [0, 1, 1, 0] } },
  { name: '1-D conv', x: [2, 3, 10], w: [2, 3, 3], bias: true, attrs: { strides: [2], pads: [1, 0] } },
  { name: '3-D conv', x: [1, 2, 4, 5, 4], w: [2, 2, 2, 3, 2], bias: true, attrs: { strides: [1, 2, 1] } },
  { name: 'symbolic batch', x: [2, 2, 6, 6], w: [3, 2, 3, 3], bias: true, attrs: { strides: [2, 2] }, xShape: ['N', 2, 6, 6] },
  { name: 'unknown spatial sizes, stride 2 (runtime Slice)', x: [2, 2, 9, 8], w: [3, 2, 3, 3], bias: true, attrs: { strides: [2, 2], pads: [1, 0, 0, 1] }, xShape: ['N', 2, 'H', 'W'] },
  { name: 'unknown spatial sizes, group 2', x: [1, 4, 7, 7], w: [4, 2, 3, 3], attrs: { group: 2, strides: [2, 2] }, xShape: ['N', 4, null, null] },
];

describe('Conv gradients (X, W, B) vs central differences (float32; Conv is bilinear, so differences are exact up to rounding)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const r = rng(c.name.length * 131);
      const inputs: Parameters<typeof gradCheck>[0]['inputs'] = {
        x: { ...uniform(r, c.x), shape: c.xShape ?? c.x },
        w: uniform(r, c.w),
      };
      if (c.bias) inputs.b = uniform(r, [c.w[0]]);
      const rep = await gradCheck({
        inputs,
        eps: 0.25,
        // With unknown output sizes, a loss Mul(y, R) could not be un-broadcast: seed dL/dy = R directly.
        seed: c.xShape?.some((dim) => dim === null || dim === 'H'),
        atol: 2e-4,
        rtol: 1e-3,
        forward: (b, x) => b.op('Conv', c.bias ? [x.x, x.w, x.b] : [x.x, x.w], c.attrs ?? {}),
      });
      record(`conv/${c.name}`, rep);
      expect(rep.worst).toBeLessThanOrEqual(1);
      expect(rep.opTypes).toContain('ConvTranspose');
    });
  }
});

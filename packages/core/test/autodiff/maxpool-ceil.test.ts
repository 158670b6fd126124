import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { encodeModel } from '../../src/onnx/codec/model-codec.js';
import type { Dim } from '../../src/onnx/ir.js';
import { appendBackward } from '../../src/train/autodiff/index.js';
import { ARTIFACT_TARGETS, type ArtifactTarget } from '../../src/train/artifacts/targets.js';
import { rng } from './gradcheck.js';

/*
 * MaxPool with ceil_mode=1 and overlapping (kernel 3, stride 2 or 1), padded windows, as SqueezeNet and
 * Inception blocks use it, on inputs full of ties (small integers, Relu'd values): the gradient must go
 * to each window's first maximum in row-major order, as PyTorch's and ONNX Runtime's kernels pick it.
 * Checked exactly against a direct first-max reference and against PyTorch 1.13
 * (test/fixtures/torchvision/maxpool-ceil.json, from scripts/fixtures/torchvision_reference.py).
 */
const TARGETS = Object.keys(ARTIFACT_TARGETS) as ArtifactTarget[];

interface Window {
  kernel: number;
  stride: number;
  pad: number;
}

/** MaxPool backward by scanning each window (padding excluded) and routing dY to its first maximum. */
function firstMaxBackward(x: Float32Array, dims: number[], dy: Float32Array, outDims: number[], w: Window): Float64Array {
  const [n, c, h, wd] = dims;
  const [, , oh, ow] = outDims;
  const dx = new Float64Array(x.length);
  for (let plane = 0; plane < n * c; plane++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        let at = -1;
        for (let a = 0; a < w.kernel; a++) {
          for (let b = 0; b < w.kernel; b++) {
            const r = i * w.stride - w.pad + a;
            const q = j * w.stride - w.pad + b;
            if (r < 0 || q < 0 || r >= h || q >= wd) continue;
            const idx = (plane * h + r) * wd + q;
            if (x[idx] > best) {
              best = x[idx];
              at = idx;
            }
          }
        }
        dx[at] += dy[(plane * oh + i) * ow + j];
      }
    }
  }
  return dx;
}

/** Runs MaxPool forward and its generated backward (seeded with dY) on onnxruntime-node. */
async function maxPoolBackward(x: Float32Array, dims: number[], declared: Dim[], w: Window, target: ArtifactTarget, dyOf: (outDims: number[]) => Float32Array) {
  const attrs = { kernel_shape: [w.kernel, w.kernel], strides: [w.stride, w.stride], pads: [w.pad, w.pad, w.pad, w.pad], ceil_mode: 1 };
  const b = new GraphBuilder({ opset: 17 });
  const xi = b.input('x', 'float32', declared);
  const y = b.op('MaxPool', [xi], attrs);
  const dyi = b.input('dy', 'float32');
  b.output(y, 'float32');
  const grads = appendBackward(b, { loss: y, wrt: ['x'], seed: dyi, features: ARTIFACT_TARGETS[target].features });
  b.output(grads.get('x') as string, 'float32');
  const model = b.build();
  const session = await ort.InferenceSession.create(encodeModel(model));
  try {
    // Output dims from a forward run (ORT's ceil_mode arithmetic), then the backward with dY.
    const fwd = new GraphBuilder({ opset: 17 });
    fwd.output(fwd.op('MaxPool', [fwd.input('x', 'float32', dims)], attrs), 'float32');
    const fs = await ort.InferenceSession.create(encodeModel(fwd.build()));
    const yOut = Object.values(await fs.run({ x: new ort.Tensor('float32', x, dims) }))[0];
    await fs.release();
    const outDims = [...yOut.dims];
    const dy = dyOf(outDims);
    const out = await session.run({ x: new ort.Tensor('float32', x, dims), dy: new ort.Tensor('float32', dy, outDims) });
    return { dx: out[grads.get('x') as string].data as Float32Array, dy, outDims };
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const cases: { name: string; dims: number[]; window: Window; symbolic?: boolean; relu?: boolean }[] = [
  { name: 'k3 s2, 32 → 16 (last window partial)', dims: [2, 3, 32, 32], window: { kernel: 3, stride: 2, pad: 0 } },
  { name: 'k3 s2, 16x13 → 8x6', dims: [1, 4, 16, 13], window: { kernel: 3, stride: 2, pad: 0 } },
  { name: 'k3 s2 pad 1, 14 → 8', dims: [2, 2, 14, 14], window: { kernel: 3, stride: 2, pad: 1 } },
  { name: 'k3 s1 pad 1, 9 → 9 (inception branch)', dims: [1, 3, 9, 9], window: { kernel: 3, stride: 1, pad: 1 } },
  { name: 'k3 s2, 16 → 8, unknown sizes', dims: [2, 2, 16, 16], window: { kernel: 3, stride: 2, pad: 0 }, symbolic: true },
  { name: 'k3 s2 pad 1, 12x15, unknown sizes', dims: [1, 2, 12, 15], window: { kernel: 3, stride: 2, pad: 1 }, symbolic: true },
  { name: 'k3 s2, 32 → 16, Relu-d input (ties at 0)', dims: [2, 2, 32, 32], window: { kernel: 3, stride: 2, pad: 0 }, relu: true },
];

describe.each(TARGETS)('MaxPool ceil_mode=1 gradient routes to the first maximum, target %s', (target) => {
  for (const c of cases) {
    it(`${c.name}: equals the first-max reference`, async () => {
      const r = rng(c.name.length * 31);
      const n = c.dims.reduce((p, d) => p * d, 1);
      // Small integers (most windows tie) or Relu'd values (runs of zeros).
      const x = Float32Array.from({ length: n }, () => (c.relu ? Math.max(0, r() - 0.6) : Math.floor(r() * 4)));
      const declared: Dim[] = c.symbolic ? ['N', c.dims[1], 'H', 'W'] : c.dims;
      const { dx, dy, outDims } = await maxPoolBackward(x, c.dims, declared, c.window, target, (o) =>
        Float32Array.from({ length: o.reduce((p, d) => p * d, 1) }, () => r() * 2 - 1),
      );
      // ceil_mode: one more output than floor mode would give, on some axis.
      const floor = (d: number) => Math.floor((d + 2 * c.window.pad - c.window.kernel) / c.window.stride) + 1;
      if (c.window.stride > 1) expect(outDims[2] > floor(c.dims[2]) || outDims[3] > floor(c.dims[3])).toBe(true);
      const ref = firstMaxBackward(x, c.dims, dy, outDims, c.window);
      expect(maxAbsDiff(dx, ref)).toBeLessThanOrEqual(1e-5);
    });
  }

  const torch = JSON.parse(readFileSync(new URL('../../../../test/fixtures/torchvision/maxpool-ceil.json', import.meta.url), 'utf8')) as {
    cases: { name: string; dims: number[]; stride: number; padding: number; outDims: number[]; x: number[]; dy: number[]; dx: number[] }[];
  };
  for (const t of torch.cases) {
    it(`${t.name}: equals PyTorch 1.13 autograd`, async () => {
      const window = { kernel: 3, stride: t.stride, pad: t.padding };
      const { dx, outDims } = await maxPoolBackward(Float32Array.from(t.x), t.dims, t.dims, window, target, () => Float32Array.from(t.dy));
      expect(outDims).toEqual(t.outDims);
      expect(maxAbsDiff(dx, t.dx)).toBeLessThanOrEqual(1e-5);
    });
  }
});

import { appendFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/onnx/builder.js';
import { Random } from '../../src/data/random.js';
import { encodeModel } from '../../src/onnx/codec/model-codec.js';
import type { Dim, Model } from '../../src/onnx/ir.js';
import { appendBackward, type GradientOptions } from '../../src/train/autodiff/index.js';

/** Float data of a test tensor. */
export type FloatArray = Float32Array | Float64Array;

/** A graph input of a test case: runtime dims and data; `shape` is the declared (maybe symbolic) shape. */
export interface TensorFeed {
  dims: number[];
  data: FloatArray;
  /** Declared shape; null declares none. @defaultValue dims */
  shape?: Dim[] | null;
}

/** A finite-difference gradient check of one forward graph. */
export interface GradCase {
  opset?: number;
  dtype?: 'float32' | 'float64';
  inputs: Record<string, TensorFeed>;
  /** Builds the forward graph from the input names; returns the output y. */
  forward?: (b: GraphBuilder, x: Record<string, string>) => string;
  /** Or: a fresh copy of a whole model (its first output is y; `inputs` only feed it). */
  model?: () => Model;
  /** Inputs to differentiate. @defaultValue all inputs */
  wrt?: string[];
  /** Seed the walker with R at y instead of a scalar loss ReduceSum(y·R). @defaultValue false */
  seed?: boolean;
  /** Central-difference step. @defaultValue 1e-3 (float64), 1e-2 (float32) */
  eps?: number;
  /** Elements checked per tensor. @defaultValue 20 */
  coords?: number;
  atol?: number;
  rtol?: number;
  /**
   * The function has kinks (Relu, MaxPool): where the two one-sided differences disagree, a kink lies
   * within eps, and the analytic value must match the one-sided difference on the kink-free side.
   * @defaultValue false
   */
  kinks?: boolean;
  options?: Partial<GradientOptions>;
}

/** Result of a check: the worst error ratio (≤ 1 passes), max abs/rel errors, the backward model. */
export interface GradReport {
  worst: number;
  maxAbs: number;
  maxRel: number;
  backward: Model;
  grads: Record<string, FloatArray>;
  opTypes: string[];
}

/** Deterministic stream in [0, 1) from core's mulberry32 `Random`. */
export function rng(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

const size = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/** Random tensor with values in [lo, hi). */
export function uniform(r: () => number, dims: number[], lo = -1, hi = 1, dtype: 'float32' | 'float64' = 'float32'): TensorFeed {
  const data = dtype === 'float64' ? new Float64Array(size(dims)) : new Float32Array(size(dims));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * r();
  return { dims, data };
}

/** Random tensor with |values| in [gap, 1 + gap): away from a kink at 0. */
export function awayFromZero(r: () => number, dims: number[], gap = 0.1, dtype: 'float32' | 'float64' = 'float32'): TensorFeed {
  const t = uniform(r, dims, 0, 1, dtype);
  for (let i = 0; i < t.data.length; i++) t.data[i] = (r() < 0.5 ? -1 : 1) * (gap + t.data[i]);
  return t;
}

/** A random permutation of distinct values spaced `step` apart (no ties, for max pooling). */
export function distinct(r: () => number, dims: number[], step = 0.05): TensorFeed {
  const n = size(dims);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return { dims, data: Float32Array.from(order, (v) => (v - n / 2) * step) };
}

async function session(model: Model): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(encodeModel(model), { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

function tensor(dtype: 'float32' | 'float64', data: FloatArray, dims: number[]): ort.Tensor {
  return new ort.Tensor(dtype, data, dims);
}

/** Builds forward and backward graphs, runs them on onnxruntime-node and compares with central differences. */
export async function gradCheck(c: GradCase, seed = 1): Promise<GradReport> {
  const dtype = c.dtype ?? 'float32';
  const opset = c.opset ?? 17;
  const eps = c.eps ?? (dtype === 'float64' ? 1e-4 : 1e-2);
  const atol = c.atol ?? (dtype === 'float64' ? 1e-6 : 2e-3);
  const rtol = c.rtol ?? (dtype === 'float64' ? 1e-5 : 2e-3);
  const wrt = c.wrt ?? Object.keys(c.inputs);
  const r = rng(seed);

  const makeForward = () => {
    if (c.model) {
      const m = c.model();
      return { b: new GraphBuilder({ graph: m.graph, opset }), y: m.graph.outputs[0].name, declared: true };
    }
    const b = new GraphBuilder({ opset });
    const names: Record<string, string> = {};
    for (const [name, feed] of Object.entries(c.inputs)) names[name] = b.input(name, dtype, feed.shape === null ? undefined : (feed.shape ?? feed.dims));
    const y = (c.forward as NonNullable<GradCase['forward']>)(b, names);
    return { b, y, declared: false };
  };
  const fwd = makeForward();
  if (!fwd.declared) fwd.b.output(fwd.y, dtype);
  const fwdSession = await session(fwd.b.build());
  const feeds = (over?: Record<string, FloatArray>) =>
    Object.fromEntries(Object.entries(c.inputs).map(([n, f]) => [n, tensor(dtype, over?.[n] ?? f.data, f.dims)]));
  const y0 = (await fwdSession.run(feeds()))[fwd.y];
  const R = uniform(r, [...y0.dims], -1, 1, dtype);

  const bwd = makeForward();
  const rName = bwd.b.input('R', dtype, R.dims);
  const loss = c.seed ? bwd.y : bwd.b.op('ReduceSum', [bwd.b.op('Mul', [bwd.y, rName])], { keepdims: 0 });
  const grads = appendBackward(bwd.b, { loss, wrt, ...(c.seed ? { seed: rName } : {}), ...c.options });
  for (const w of wrt) bwd.b.output(grads.get(w) as string, dtype);
  const backward = bwd.b.build();
  const bwdSession = await session(backward);
  const out = await bwdSession.run({ ...feeds(), R: tensor(dtype, R.data, R.dims) });

  const lossAt = async (name: string, data: FloatArray) => {
    const y = (await fwdSession.run(feeds({ [name]: data })))[fwd.y].data as FloatArray;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * R.data[i];
    return s;
  };

  const report: GradReport = { worst: 0, maxAbs: 0, maxRel: 0, backward, grads: {}, opTypes: [] };
  report.opTypes = [...new Set(backward.graph.nodes.map((n) => n.opType))];
  for (const w of wrt) {
    const g = out[grads.get(w) as string];
    const feed = c.inputs[w];
    if (g.dims.join() !== feed.dims.join()) throw new Error(`gradient of '${w}' has dims [${g.dims}], expected [${feed.dims}]`);
    const ga = g.data as FloatArray;
    report.grads[w] = ga;
    const n = feed.data.length;
    const picks = n <= (c.coords ?? 20) ? [...Array(n).keys()] : Array.from({ length: c.coords ?? 20 }, () => Math.floor(r() * n));
    const base = c.kinks ? await lossAt(w, feed.data) : 0;
    for (const i of picks) {
      const plus = feed.data.slice();
      const minus = feed.data.slice();
      plus[i] += eps;
      minus[i] -= eps;
      const lp = await lossAt(w, plus);
      const lm = await lossAt(w, minus);
      const tol = (v: number) => atol + rtol * Math.abs(v);
      let fd = (lp - lm) / (plus[i] - minus[i]);
      if (c.kinks) {
        const right = (lp - base) / (plus[i] - feed.data[i]);
        const left = (base - lm) / (feed.data[i] - minus[i]);
        if (Math.abs(right - left) > tol(fd)) fd = Math.abs(ga[i] - right) < Math.abs(ga[i] - left) ? right : left;
      }
      const err = Math.abs(ga[i] - fd);
      report.maxAbs = Math.max(report.maxAbs, err);
      report.maxRel = Math.max(report.maxRel, err / Math.max(Math.abs(fd), 1e-2));
      report.worst = Math.max(report.worst, err / tol(fd));
      if (process.env.AUTODIFF_DEBUG && err / tol(fd) > 1) console.log(`${w}[${i}] analytic ${ga[i]} fd ${fd}`);
    }
  }
  await fwdSession.release();
  await bwdSession.release();
  return report;
}

/** Appends a case's errors to $AUTODIFF_REPORT (a JSON-lines file) when set: for the review note only. */
export function record(name: string, rep: GradReport): void {
  const file = process.env.AUTODIFF_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify({ name, maxAbs: rep.maxAbs, maxRel: rep.maxRel, worst: rep.worst })}\n`);
}

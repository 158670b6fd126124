import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in test/reference/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Committed outputs of scripts/fixtures/torch_reference.py. */
export const torchFixtureDir = path.join(repoRoot, 'test/fixtures/torch');
/** Shared, read-only fixtures (mnist-8 …), never copied into the repo. */
export const sharedFixtureDir = path.resolve(repoRoot, '../shared/fixtures');

/** One float32 tensor of a fixture. */
export interface FixtureTensor {
  name: string;
  role: 'input' | 'param' | 'buffer' | 'grad' | 'new' | 'output';
  shape: number[];
  data: Float32Array;
}

/** A reference written by torch_reference.py: manifest fields plus its tensors. */
export interface TorchFixture {
  model: string;
  labels: number[];
  loss: number;
  /** PyTorch's logits for the batch, row-major [N, 10] (reference models only). */
  logits?: number[];
  adamw?: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; stepsTaken: number };
  tensors: FixtureTensor[];
  /** Tensors of one role by name. */
  byRole(role: FixtureTensor['role']): Map<string, FixtureTensor>;
  /** The single tensor with this role and name (throws when absent). */
  get(role: FixtureTensor['role'], name: string): FixtureTensor;
}

/** Loads `test/fixtures/torch/<stem>.json` and its .bin. */
export function loadTorchFixture(stem: string): TorchFixture {
  const manifest = JSON.parse(readFileSync(path.join(torchFixtureDir, `${stem}.json`), 'utf8')) as {
    model: string;
    labels: number[];
    loss: number;
    logits?: number[];
    adamw?: TorchFixture['adamw'];
    bin: string;
    tensors: { name: string; role: FixtureTensor['role']; shape: number[]; offset: number; length: number }[];
  };
  const bin = readFileSync(path.join(torchFixtureDir, manifest.bin));
  // Copy to an aligned buffer: the .bin is little-endian float32, as is every platform Node runs on.
  const all = new Float32Array(new Uint8Array(bin).buffer, 0, bin.byteLength / 4);
  const tensors = manifest.tensors.map((t) => ({
    name: t.name,
    role: t.role,
    shape: t.shape,
    data: all.slice(t.offset, t.offset + t.length),
  }));
  const byRole = (role: FixtureTensor['role']) => new Map(tensors.filter((t) => t.role === role).map((t) => [t.name, t]));
  return {
    model: manifest.model,
    labels: manifest.labels,
    loss: manifest.loss,
    logits: manifest.logits,
    adamw: manifest.adamw,
    tensors,
    byRole,
    get(role, name) {
      const t = tensors.find((x) => x.role === role && x.name === name);
      if (!t) throw new Error(`fixture ${stem}: no ${role} tensor '${name}'`);
      return t;
    },
  };
}

/** Float32 one-hot rows [labels.length, classes] — the artifacts' `labels` input. */
export function oneHot(labels: readonly number[], classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((c, i) => (out[i * classes + c] = 1));
  return out;
}

/**
 * Relative error of `actual` against the reference `expected`, per tensor:
 * max_i |actual_i − expected_i| / max_i |expected_i| (the largest absolute difference, scaled by the
 * reference's largest magnitude; 0/0 counts as 0).
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new RangeError(`relativeError: lengths differ (${actual.length} vs ${expected.length})`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  if (Number.isNaN(diff)) return Number.NaN;
  return scale === 0 ? diff : diff / scale;
}

/** Largest absolute difference of two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

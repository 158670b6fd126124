import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SampledGradient } from './gradient-error.js';
import { samplePositions, torchvisionFixtureDir, type TorchvisionReference } from './torchvision-fixture.js';

/** A PyTorch result with BatchNormalization in training mode (`<arch>-bn-train.json`, torchvision_reference.py). */
export interface BnTrainReference {
  loss: number;
  /**
   * How well float32 arithmetic determines the loss: the largest relative change of it in PyTorch's own
   * float32 run and in float64 runs on float32-rounding-sized perturbations (torchvision_reference.py).
   */
  lossFloat32Spread: number;
  /** ONNX momentum of PyTorch's update (running = m·running + (1 − m)·batch). */
  momentum: number;
  /**
   * Every trainable tensor: sampled positions, PyTorch's gradient there, the whole tensor's largest
   * |gradient|, and the same float32 spread of it (relative to that largest value).
   */
  grads: (SampledGradient & { float32Spread: number })[];
  /** Every running mean and variance after the forward pass, in full, and its float32 spread. */
  running: { name: string; values: Float32Array; max: number; float32Spread: number }[];
}

interface Entry {
  name: string;
  role: 'gradient' | 'running';
  max: number;
  offset: number;
  length: number;
  float32Spread: number;
}

/** Loads the training-mode reference of an architecture, or undefined for one without BatchNormalization. */
export function loadBnTrainReference(ref: TorchvisionReference): BnTrainReference | undefined {
  const file = path.join(torchvisionFixtureDir, `${ref.arch}-bn-train.json`);
  if (!existsSync(file)) return undefined;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { loss: number; lossFloat32Spread: number; momentum: number; samples: number; bin: string; tensors: Entry[] };
  const bin = readFileSync(path.join(torchvisionFixtureDir, doc.bin));
  const all = new Float32Array(new Uint8Array(bin).buffer, 0, bin.byteLength / 4);
  const slice = (t: Entry) => all.slice(t.offset, t.offset + t.length);
  const manifest = new Map(ref.tensors.map((t) => [t.name, t]));
  const grads = doc.tensors
    .filter((t) => t.role === 'gradient')
    .map((t) => {
      const m = manifest.get(t.name);
      if (!m) throw new Error(`${ref.arch}: '${t.name}' is not in the manifest`);
      const positions = samplePositions(m.shape.reduce((p, d) => p * d, 1), m.seed, doc.samples);
      if (positions.length !== t.length) throw new Error(`${ref.arch}: ${t.name} has ${t.length} samples, expected ${positions.length}`);
      return { name: t.name, positions, values: slice(t), max: t.max, float32Spread: t.float32Spread };
    });
  const running = doc.tensors.filter((t) => t.role === 'running').map((t) => ({ name: t.name, values: slice(t), max: t.max, float32Spread: t.float32Spread }));
  return { loss: doc.loss, lossFloat32Spread: doc.lossFloat32Spread, momentum: doc.momentum, grads, running };
}

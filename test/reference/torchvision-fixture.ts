import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeModel, makeTensor, type Model } from '../../packages/core/src/onnx/index.js';
import { repoRoot } from './torch-fixture.js';

/** Committed outputs of scripts/fixtures/torchvision_reference.py. */
export const torchvisionFixtureDir = path.join(repoRoot, 'test/fixtures/torchvision');

/** The architectures of torchvision_reference.py, in its order. */
export const TORCHVISION_ARCHITECTURES = [
  'resnet18',
  'mobilenet_v2',
  'mobilenet_v3_small',
  'squeezenet1_1',
  'shufflenet_v2_x0_5',
  'efficientnet_b0',
  'googlenet',
] as const;
/** One of {@link TORCHVISION_ARCHITECTURES}. */
export type TorchvisionArchitecture = (typeof TORCHVISION_ARCHITECTURES)[number];

/** A tensor whose values are the generator's counter hash. */
interface HashedTensor {
  shape: number[];
  seed: number;
  offset: number;
  scale: number;
}

/** One state_dict tensor of the reference. */
interface ReferenceTensor extends HashedTensor {
  name: string;
  trainable: boolean;
  /** Largest |gradient| over the whole tensor (float64). */
  gradMax?: number;
  gradOffset?: number;
  gradLength?: number;
}

/** A reference of torchvision_reference.py: the batch, PyTorch's loss and sampled gradients. */
export interface TorchvisionReference {
  arch: TorchvisionArchitecture;
  opsets: number[];
  input: { data: Float32Array; dims: number[] };
  labels: number[];
  loss: number;
  /** Every trainable tensor: its name, the sampled positions, PyTorch's gradient there, and its largest |gradient|. */
  grads: { name: string; positions: Int32Array; values: Float32Array; max: number }[];
  /** Every state_dict tensor of the manifest: name, shape and hash seed. */
  tensors: { name: string; shape: number[]; seed: number }[];
  /** The exported model at `opset`, initializers filled with the hashed weights. */
  model(opset: number): Model;
}

const GOLDEN = 0x9e3779b9;

/** lowbias32 integer mixer (as the generator's numpy version). */
function hash32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Counter `i` of a tensor's stream, offset by seed·GOLDEN mod 2³². */
const counter = (i: number, seed: number, start = 0) => (i + start + Math.imul(seed, GOLDEN)) >>> 0;

/** The generator's hashed float32 values (bit-identical: the float64 arithmetic is the same). */
export function hashedValues(n: number, seed: number, offset: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = offset + scale * ((2 * hash32(counter(i, seed))) / 2 ** 32 - 1);
  return out;
}

/** The generator's stratified sample positions of a tensor of `n` elements (`samples` of them at most). */
export function samplePositions(n: number, seed: number, samples: number): Int32Array {
  if (n <= samples) return Int32Array.from({ length: n }, (_, i) => i);
  const width = Math.floor(n / samples);
  return Int32Array.from({ length: samples }, (_, k) => Math.floor((k * n) / samples) + (hash32(counter(k, seed, 1)) % width));
}

/** Loads `test/fixtures/torchvision/<arch>.json`, its .bin and (lazily) its ONNX exports. */
export function loadTorchvisionReference(arch: TorchvisionArchitecture): TorchvisionReference {
  const doc = JSON.parse(readFileSync(path.join(torchvisionFixtureDir, `${arch}.json`), 'utf8')) as {
    input: HashedTensor;
    labels: number[];
    loss: number;
    samples: number;
    bin: string;
    opsets: number[];
    tensors: ReferenceTensor[];
  };
  const bin = readFileSync(path.join(torchvisionFixtureDir, doc.bin));
  const all = new Float32Array(new Uint8Array(bin).buffer, 0, bin.byteLength / 4);
  const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
  const grads = doc.tensors
    .filter((t) => t.trainable)
    .map((t) => {
      const positions = samplePositions(size(t.shape), t.seed, doc.samples);
      if (positions.length !== t.gradLength) throw new Error(`${arch}: ${t.name} has ${t.gradLength} samples, expected ${positions.length}`);
      const start = t.gradOffset as number;
      return { name: t.name, positions, values: all.slice(start, start + positions.length), max: t.gradMax as number };
    });
  const { input } = doc;
  return {
    arch,
    opsets: doc.opsets,
    input: { data: hashedValues(size(input.shape), input.seed, input.offset, input.scale), dims: input.shape },
    labels: doc.labels,
    loss: doc.loss,
    grads,
    tensors: doc.tensors.map((t) => ({ name: t.name, shape: t.shape, seed: t.seed })),
    model(opset) {
      const model = decodeModel(readFileSync(path.join(torchvisionFixtureDir, `${arch}-opset${opset}.onnx`)));
      const byName = new Map(doc.tensors.map((t) => [t.name, t]));
      model.graph.initializers = model.graph.initializers.map((init) => {
        const t = byName.get(init.name);
        return t ? makeTensor(init.name, 'float32', t.shape, hashedValues(size(t.shape), t.seed, t.offset, t.scale)) : init;
      });
      return model;
    },
  };
}

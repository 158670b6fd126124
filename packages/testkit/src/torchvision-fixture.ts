import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeModel, type Model } from '../../core/src/onnx/index.js';
import { repoRoot } from './torch-fixture.js';
import { hashedValues, samplePositions, withHashedWeights } from './torchvision-hash.js';

export { hashedValues, samplePositions } from './torchvision-hash.js';

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
  /** Another export of the same model (`file` in {@link torchvisionFixtureDir}, e.g. at another input size), filled the same way. */
  modelFrom(file: string): Model;
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
  const modelFrom = (file: string) => withHashedWeights(decodeModel(readFileSync(path.join(torchvisionFixtureDir, file))), doc.tensors);
  return {
    arch,
    opsets: doc.opsets,
    input: { data: hashedValues(size(input.shape), input.seed, input.offset, input.scale), dims: input.shape },
    labels: doc.labels,
    loss: doc.loss,
    grads,
    tensors: doc.tensors.map((t) => ({ name: t.name, shape: t.shape, seed: t.seed })),
    model: (opset) => modelFrom(`${arch}-opset${opset}.onnx`),
    modelFrom,
  };
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeModel } from '../../core/src/onnx/index.js';
import type { Model } from '../../core/src/onnx/index.js';
import { buildSeedCnn } from '../../core/src/models/index.js';
import { ARTIFACT_TARGETS, type ArtifactOptions, type ArtifactTarget } from '../../core/src/train/index.js';
import { buildBnVariant } from './bn-variant.js';
import { loadTorchFixture, sharedFixtureDir, torchFixtureDir } from './torch-fixture.js';
import { loadTorchvisionReference } from './torchvision-fixture.js';

/**
 * The models whose artifacts the reference tests and the onnx checker look at. Shared by
 * scripts/fixtures/write-artifacts.ts (what check_artifacts.py checks) and
 * test/reference/checker-report.test.ts (which regenerates them and compares hashes), so both always
 * mean the same bytes.
 */
export interface ArtifactCase {
  name: string;
  model: () => Model;
  options: ArtifactOptions;
}

/** Parameters (and BN buffers) of a torch_reference.py fixture, by name. */
export function fixtureValues(stem: string): Record<string, Float32Array> {
  const fx = loadTorchFixture(stem);
  return Object.fromEntries([...fx.byRole('param'), ...fx.byRole('buffer')].map(([k, t]) => [k, t.data]));
}

/** The seed CNN with the PyTorch fixture's weights (ends in Softmax: training goes around it). */
export const seedCnnFromFixture = (): Model => buildSeedCnn({ weights: fixtureValues('seed-cnn') });
/** The BatchNormalization variant with the PyTorch fixture's weights and running statistics. */
export const bnVariantFromFixture = (): Model => buildBnVariant(fixtureValues('bn-variant'));
/** A model exported by torch.onnx.export (opset 13: BN folded; opset 17: BN kept). */
export const torchExport = (opset: 13 | 17) => (): Model => decodeModel(readFileSync(path.join(torchFixtureDir, `torch-cnn-opset${opset}.onnx`)));
/** mnist-8 from the ONNX model zoo (CNTK export, batch fixed at 1). */
export const mnist8 = (): Model => decodeModel(readFileSync(path.join(sharedFixtureDir, 'models/mnist-onnx/mnist-8.onnx')));

/** The AdamW settings of torch_reference.py (the learning rate is a graph input: 1e-3). */
export const ADAMW: ArtifactOptions = { loss: 'cross-entropy', optimizer: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };

const BASE_CASES: readonly ArtifactCase[] = [
  { name: 'seed-cnn', model: seedCnnFromFixture, options: ADAMW },
  { name: 'seed-cnn-momentum-mse', model: seedCnnFromFixture, options: { loss: 'mse', optimizer: 'momentum', nesterov: true, weightDecay: 1e-4 } },
  { name: 'seed-cnn-sgd-smoothing-clip', model: seedCnnFromFixture, options: { optimizer: 'sgd', labelSmoothing: 0.1, clipGradNorm: 1 } },
  { name: 'seed-cnn-head-only', model: seedCnnFromFixture, options: { ...ADAMW, trainable: ['fc2.weight', 'fc2.bias'], inputGradients: true } },
  { name: 'bn-variant', model: bnVariantFromFixture, options: ADAMW },
  { name: 'torch-cnn-opset13', model: torchExport(13), options: ADAMW },
  { name: 'torch-cnn-opset17', model: torchExport(17), options: ADAMW },
  { name: 'mnist-8', model: mnist8, options: ADAMW },
  // BatchNormalization with batch statistics: the lowered training graph (and a torchvision export's).
  { name: 'bn-variant-bn-train', model: bnVariantFromFixture, options: { ...ADAMW, batchNorm: 'train' } },
  { name: 'mobilenet-v3-small-bn-train', model: () => loadTorchvisionReference('mobilenet_v3_small').model(17), options: { ...ADAMW, batchNorm: 'train' } },
];

/** Every artifact target, portable first. */
export const TARGETS = Object.keys(ARTIFACT_TARGETS) as ArtifactTarget[];

/** Each base case for each target (`<case>` for the portable target, `<case>.<target>` for the others). */
export const ARTIFACT_CASES: readonly ArtifactCase[] = BASE_CASES.flatMap((c) =>
  TARGETS.map((target) => ({ name: target === 'portable' ? c.name : `${c.name}.${target}`, model: c.model, options: { ...c.options, target } })),
);

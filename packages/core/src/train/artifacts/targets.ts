import type { Device } from '../../runtime/device.js';
import { PORTABLE_FEATURES, type GradientFeatures } from '../autodiff/types.js';

/**
 * What the artifacts' graphs are formulated for: `'portable'` runs on every execution provider (every
 * node placed on WebGPU), the others are specialised for one kind of device. All targets take and give
 * the same names, so a checkpoint moves between them.
 */
export type ArtifactTarget = 'portable' | 'cpu';

/** What one artifact target allows, and which devices it is the best formulation for. */
export interface ArtifactTargetInfo {
  /** Backward-pass formulation choices (see GradientFeatures). */
  readonly features: Readonly<GradientFeatures>;
  /** The training graph pools before its Relus (`commuteReluMaxPool`): exact, and less work. */
  readonly poolBeforeRelu: boolean;
  /** The training graph crops convolutions to what their MaxPool reads (`cropConvolutionsToPool`): exact, less work. */
  readonly cropConvToPool: boolean;
  /** The training graph runs few-channel convolutions under a pool as one GEMM per pool phase (`convPoolAsPhaseGemms`): exact. */
  readonly poolPhaseGemms: boolean;
  /** The training graph runs convolutions with small outputs as one GEMM over the batch (`convAsBatchGemm`): exact up to rounding. */
  readonly convBatchGemm: boolean;
  /** Devices whose sessions run this target fastest (measured: docs/BENCHMARKS.md). */
  readonly bestFor: readonly Device[];
}

/** The one table of artifact targets. */
export const ARTIFACT_TARGETS: Readonly<Record<ArtifactTarget, ArtifactTargetInfo>> = Object.freeze({
  portable: Object.freeze({
    features: PORTABLE_FEATURES,
    poolBeforeRelu: false,
    cropConvToPool: false,
    poolPhaseGemms: false,
    convBatchGemm: false,
    bestFor: Object.freeze(['webgpu', 'cuda'] as const),
  }),
  cpu: Object.freeze({
    features: Object.freeze({ maxPoolIndices: true }),
    poolBeforeRelu: true,
    cropConvToPool: true,
    poolPhaseGemms: true,
    convBatchGemm: true,
    bestFor: Object.freeze(['cpu', 'wasm'] as const),
  }),
});

/** The target whose graphs run fastest on `device` (`'portable'` for a device no target names). */
export function targetForDevice(device: Device): ArtifactTarget {
  for (const [target, info] of Object.entries(ARTIFACT_TARGETS) as [ArtifactTarget, ArtifactTargetInfo][]) {
    if (info.bestFor.includes(device)) return target;
  }
  return 'portable';
}

/** Checks an artifact target name. */
export function isArtifactTarget(value: unknown): value is ArtifactTarget {
  return typeof value === 'string' && Object.hasOwn(ARTIFACT_TARGETS, value);
}

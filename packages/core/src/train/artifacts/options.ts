import type { LossKind } from '../losses/index.js';
import type { OptimizerOptions } from '../optimizers/index.js';
import { checkBatchNormOptions, type BatchNormMode } from './batch-norm-mode.js';
import { ARTIFACT_TARGETS, isArtifactTarget, type ArtifactTarget } from './targets.js';

/** Options of `generateArtifacts`. */
export interface ArtifactOptions extends OptimizerOptions {
  /** The loss on the model's output. @defaultValue 'cross-entropy' */
  loss?: LossKind;
  /** Cross-entropy label smoothing ε in [0, 1). @defaultValue 0 */
  labelSmoothing?: number;
  /**
   * Exactly these initializers are trained (names of float32 initializers the loss depends on).
   * @defaultValue every learnable float32 initializer (not BatchNormalization statistics, shape/axes
   * constants, or initializers only feeding non-differentiable inputs)
   */
  trainable?: string[];
  /** Initializers kept constant (removed from the trainable set). @defaultValue [] */
  frozen?: string[];
  /** Also output `<input>_grad` for each float data input (saliency maps). @defaultValue false */
  inputGradients?: boolean;
  /** The model output the loss is computed on. @defaultValue the first output */
  output?: string;
  /**
   * The device family the graphs are formulated for (`targets.ts`): `'portable'` runs on every
   * execution provider, `'cpu'` is faster on ORT's CPU and WASM providers. Checkpoints are
   * interchangeable between targets. @defaultValue 'portable'
   */
  target?: ArtifactTarget;
  /**
   * BatchNormalization in the training graph (docs/ARTIFACTS.md, "BatchNormalization"): `'frozen'`
   * normalizes with the running statistics and leaves them constant; `'train'` normalizes with the
   * batch's statistics and updates the running ones, which become `<statistic>` inputs and
   * `<statistic>.new` outputs of the training graph, inputs of the eval graph, and `buffer` tensors of
   * the checkpoint. Frozen is the default because fine-tuning a pretrained model on small batches is
   * the common case: statistics of a few examples are noisy and would drag the running statistics
   * toward them (Keras' transfer-learning guide keeps BatchNormalization in inference mode for the same
   * reason). Train from scratch, or with large batches, in `'train'`. @defaultValue 'frozen'
   */
  batchNorm?: BatchNormMode;
  /**
   * With `batchNorm: 'train'`: the momentum m of every node's running-statistics update, `running ←
   * m·running + (1 − m)·batch` (ONNX's convention; PyTorch's `momentum` is 1 − m).
   * @defaultValue each node's `momentum` attribute (ONNX's default 0.9)
   */
  batchNormMomentum?: number;
}

/** Checks option kinds; ranges are checked where each option is used. */
export function checkArtifactOptions(options: ArtifactOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('generateArtifacts: options must be an object');
  const names = (key: 'trainable' | 'frozen') => {
    const v = options[key];
    if (v !== undefined && (!Array.isArray(v) || v.some((n) => typeof n !== 'string'))) {
      throw new TypeError(`generateArtifacts: '${key}' must be an array of initializer names`);
    }
  };
  names('trainable');
  names('frozen');
  if (options.loss !== undefined && options.loss !== 'cross-entropy' && options.loss !== 'mse') {
    throw new RangeError(`generateArtifacts: 'loss' must be 'cross-entropy' or 'mse', got '${String(options.loss)}'`);
  }
  if (options.loss === 'mse' && options.labelSmoothing) {
    throw new RangeError(`generateArtifacts: 'labelSmoothing' applies to the cross-entropy loss, not 'mse'`);
  }
  if (options.inputGradients !== undefined && typeof options.inputGradients !== 'boolean') {
    throw new TypeError(`generateArtifacts: 'inputGradients' must be a boolean`);
  }
  if (options.output !== undefined && typeof options.output !== 'string') throw new TypeError(`generateArtifacts: 'output' must be a string`);
  checkBatchNormOptions(options.batchNorm, options.batchNormMomentum);
  if (options.target !== undefined && !isArtifactTarget(options.target)) {
    throw new RangeError(`generateArtifacts: 'target' must be one of ${Object.keys(ARTIFACT_TARGETS).map((t) => `'${t}'`).join(', ')}, got '${String(options.target)}'`);
  }
}

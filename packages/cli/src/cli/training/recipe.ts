import { CliUsageError } from '../errors.js';
import type { TrainingFlags } from './training-options.js';

/**
 * Everything that decides a training run's result, stored in its checkpoints so `--resume` can
 * refuse to continue a run with other settings (which would not end where the original would have).
 */
export interface TrainingRecipe {
  command: 'train' | 'finetune';
  /** The model file (absolute) or `arch:<name>`. */
  model: string;
  /** `mnist` or the data folder (absolute). */
  data: string;
  split?: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  schedule: string;
  warmup: number;
  stepSize?: number;
  gamma?: number;
  optimizer: string;
  seed: number;
  validation?: number;
  augment: boolean;
  earlyStopping?: number;
  trainable?: string[];
  headOnly?: boolean;
  newHead?: number;
  headInput?: string;
  /** Only when 'train' (recipes from before the option have none). */
  batchNorm?: string;
}

/** Checkpoint metadata key of the recipe. */
export const RECIPE_KEY = 'onnxkit.cli.recipe';

/** The command-line flag behind each recipe field, for error messages. */
const FLAGS: Record<keyof TrainingRecipe, string> = {
  command: 'the command',
  model: 'the model',
  data: '--data',
  split: '--split',
  epochs: '--epochs',
  batchSize: '--batch-size',
  learningRate: '--lr',
  schedule: '--schedule',
  warmup: '--warmup',
  stepSize: '--step-size',
  gamma: '--gamma',
  optimizer: '--optimizer',
  seed: '--seed',
  validation: '--validation',
  augment: '--augment',
  earlyStopping: '--early-stopping',
  trainable: '--trainable',
  headOnly: '--head-only',
  newHead: '--new-head',
  batchNorm: '--batch-norm',
  headInput: '--head-input',
};

/** The recipe of a run from its flags and what the command resolved (model, trainable set); the data is added once loaded. */
export function recipeOf(
  flags: TrainingFlags,
  resolved: Pick<TrainingRecipe, 'command' | 'model' | 'trainable' | 'headOnly' | 'newHead' | 'headInput'>,
): Omit<TrainingRecipe, 'data' | 'split'> {
  const recipe: Omit<TrainingRecipe, 'data' | 'split'> = {
    ...resolved,
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    learningRate: flags.lr,
    schedule: flags.schedule,
    warmup: flags.warmup,
    optimizer: flags.optimizer,
    seed: flags.seed,
    augment: flags.augment ?? false,
  };
  if (flags.schedule === 'step') {
    if (flags.stepSize !== undefined) recipe.stepSize = flags.stepSize;
    recipe.gamma = flags.gamma;
  }
  if (flags.validation !== undefined) recipe.validation = flags.validation;
  if (flags.earlyStopping !== undefined) recipe.earlyStopping = flags.earlyStopping;
  if (flags.batchNorm === 'train') recipe.batchNorm = flags.batchNorm;
  for (const key of Object.keys(recipe) as (keyof typeof recipe)[]) if (recipe[key] === undefined) delete recipe[key];
  return recipe;
}

/** Throws a CliUsageError naming the first setting in which `current` differs from the checkpoint's recipe. */
export function checkSameRecipe(stored: TrainingRecipe, current: TrainingRecipe, checkpoint: string): void {
  const keys = new Set([...Object.keys(stored), ...Object.keys(current)] as (keyof TrainingRecipe)[]);
  for (const key of keys) {
    const a = JSON.stringify(stored[key] ?? null);
    const b = JSON.stringify(current[key] ?? null);
    if (a !== b) {
      throw new CliUsageError(
        `--resume ${checkpoint}: the checkpoint's run used ${FLAGS[key]} ${show(stored[key])}, this one ${show(current[key])}; ` +
          'resume with the same command and options',
      );
    }
  }
}

function show(v: unknown): string {
  if (v === undefined) return '(not given)';
  return Array.isArray(v) ? v.join(',') : String(v);
}

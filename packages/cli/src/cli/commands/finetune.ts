import path from 'node:path';
import { headOnFeatures, headParameters, replaceHead, splitAtHead } from '@onnxkit/core';
import type { Command } from 'commander';
import { openModelFile } from '@onnxkit/node';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';
import { defaultEmbeddingCache, type FrozenBackbone } from '../training/frozen-backbone.js';
import { modelLabels, PREPROCESSING_KEY } from '../training/model-metadata.js';
import { nameList, positiveInt } from '../training/parse-values.js';
import { recipeOf } from '../training/recipe.js';
import { runTraining } from '../training/run-training.js';
import { printTrainReport } from '../training/train-report.js';
import { addTrainingOptions, type TrainingFlags } from '../training/training-options.js';

/** `finetune`'s own options. */
interface FinetuneFlags extends TrainingFlags {
  trainable?: string[];
  headOnly?: boolean;
  newHead?: number;
  headInput?: string;
  /** A folder, or false for `--no-embedding-cache` (commander gives true when neither is given). */
  embeddingCache: string | boolean;
}

/**
 * `onnxkit finetune <model> --data <source> [--trainable a,b|--head-only] [--new-head <classes>]`:
 * continues training a model, optionally only some parameters, optionally with a fresh output layer.
 */
export const finetuneCommand: CliCommand = {
  name: 'finetune',
  register(program: Command, ctx: CliContext): void {
    const command = program
      .command('finetune')
      .description('Fine-tune a trained classifier on new labelled images: all parameters, chosen ones, or only its last layer, optionally replaced by a new N-way head.')
      .argument('<model>', 'ONNX model to fine-tune')
      .option('--trainable <names>', 'train only these initializers (comma-separated)', nameList('--trainable', 'fc1.weight,fc1.bias'))
      .option('--head-only', 'train only the last dense layer (Gemm, or MatMul + Add)')
      .option('--new-head <classes>', 'replace the last dense layer with a freshly initialised one with this many classes', positiveInt('--new-head'))
      .option('--head-input <value>', 'with --new-head: the value the new head reads (a [N, D] matrix, e.g. the pooled features); everything after it is replaced')
      .option('--embedding-cache <dir>', 'with --head-only: where the frozen backbone\'s embeddings are kept between runs (default: ~/.cache/onnxkit/embeddings)')
      .option('--no-embedding-cache', 'with --head-only: keep the embeddings in memory only');
    addTrainingOptions(command).action(async (modelPath: string, flags: FinetuneFlags) => {
      if (flags.trainable && flags.headOnly) throw new CliUsageError('finetune: --trainable and --head-only exclude each other');
      if (flags.newHead !== undefined && flags.newHead < 2) throw new CliUsageError(`--new-head ${flags.newHead}: a classifier needs at least 2 classes`);
      if (flags.headInput !== undefined && flags.newHead === undefined) throw new CliUsageError('--head-input needs --new-head <classes>');
      let model = (await openModelFile(modelPath)).model;
      const preprocessing = model.metadata[PREPROCESSING_KEY];
      let labels = modelLabels(model);
      let trainable = flags.trainable;
      if (flags.newHead !== undefined) {
        const replaced =
          flags.headInput !== undefined
            ? (() => {
                try {
                  return headOnFeatures(model, { features: flags.headInput, classes: flags.newHead, seed: flags.seed });
                } catch (err) {
                  throw new CliUsageError(`--head-input ${flags.headInput}: ${(err as Error).message.replace(/^headOnFeatures: /, '')}`);
                }
              })()
            : replaceHead(model, { classes: flags.newHead, seed: flags.seed });
        model = replaced.model;
        labels = undefined;
        if (flags.headOnly) trainable = replaced.parameters;
      } else if (flags.headOnly) {
        trainable = headParameters(model);
      }
      // Head-only: the backbone is frozen, so it runs once per image and the head trains on its
      // embeddings. Augmentation changes the images every epoch, and BatchNormalization in training mode
      // changes the backbone with the batch: both need the whole graph every step instead.
      let frozenBackbone: FrozenBackbone | undefined;
      if (flags.headOnly && !flags.augment && flags.batchNorm !== 'train') {
        const cacheDir = flags.embeddingCache === false ? undefined : typeof flags.embeddingCache === 'string' ? path.resolve(flags.embeddingCache) : defaultEmbeddingCache(ctx.env);
        frozenBackbone = { split: splitAtHead(model), cacheDir };
        trainable = undefined;
      }
      const report = await runTraining(
        {
          command: 'finetune',
          model,
          modelName: modelPath,
          ...(labels ? { labels } : {}),
          ...(preprocessing ? { preprocessing } : {}),
          artifactOptions: trainable ? { trainable } : {},
          recipe: recipeOf(flags, {
            command: 'finetune',
            model: path.resolve(modelPath),
            ...(flags.trainable ? { trainable: flags.trainable } : {}),
            ...(flags.headOnly ? { headOnly: true } : {}),
            ...(flags.newHead !== undefined ? { newHead: flags.newHead } : {}),
            ...(flags.headInput !== undefined ? { headInput: flags.headInput } : {}),
          }),
          flags,
          defaultOut: `${path.basename(modelPath).replace(/\.onnx$/i, '')}.finetuned.onnx`,
          ...(frozenBackbone ? { frozenBackbone } : {}),
        },
        ctx,
      );
      if (flags.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else printTrainReport(report, ctx);
    });
  },
};

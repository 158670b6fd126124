import path from 'node:path';
import { buildSeedCnn, type Model } from '@onnxkit/core';
import { Option, type Command } from 'commander';
import { openModelFile } from '../../io/model-file.js';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';
import { modelLabels, PREPROCESSING_KEY } from '../training/model-metadata.js';
import { recipeOf } from '../training/recipe.js';
import { runTraining } from '../training/run-training.js';
import { printTrainReport } from '../training/train-report.js';
import { addTrainingOptions, type TrainingFlags } from '../training/training-options.js';

/** Models `--arch` can build. */
const ARCHITECTURES = ['seed-cnn'] as const;

/** `onnxkit train <model|--arch seed-cnn> --data <source> [options]`: trains every parameter of a model. */
export const trainCommand: CliCommand = {
  name: 'train',
  register(program: Command, ctx: CliContext): void {
    const command = program
      .command('train')
      .description('Train an image classifier (every parameter) on labelled images; writes the model, its training curves and confusion matrix.')
      .argument('[model]', 'ONNX model to train; or build one with --arch')
      .addOption(new Option('--arch <name>', 'build a new model of this architecture (the seed CNN of docs/ARCHITECTURE.md)').choices(ARCHITECTURES));
    addTrainingOptions(command).action(async (modelPath: string | undefined, flags: TrainingFlags & { arch?: string }) => {
      if (!modelPath === !flags.arch) throw new CliUsageError('train: give either a model file or --arch seed-cnn, not both');
      let model: Model;
      let modelName: string;
      let labels: string[] | undefined;
      let preprocessing: string | undefined;
      if (modelPath) {
        model = (await openModelFile(modelPath)).model;
        modelName = modelPath;
        labels = modelLabels(model);
        preprocessing = model.metadata[PREPROCESSING_KEY];
      } else {
        model = buildSeedCnn({ seed: flags.seed });
        modelName = `arch:${flags.arch}`;
      }
      const report = await runTraining(
        {
          command: 'train',
          model,
          modelName,
          ...(labels ? { labels } : {}),
          ...(preprocessing ? { preprocessing } : {}),
          artifactOptions: {},
          recipe: recipeOf(flags, { command: 'train', model: modelPath ? path.resolve(modelPath) : modelName }),
          flags,
          defaultOut: modelPath ? `${path.basename(modelPath).replace(/\.onnx$/i, '')}.trained.onnx` : `${flags.arch}.onnx`,
        },
        ctx,
      );
      if (flags.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
      else printTrainReport(report, ctx);
    });
  },
};

import { formatSummary, inspect } from '@onnxkit/core';
import type { Command } from 'commander';
import { openModelFile } from '@onnxkit/node';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';

/** `onnxkit inspect <model> [--json]`: what a model takes, returns, uses and weighs. */
export const inspectCommand: CliCommand = {
  name: 'inspect',
  register(program: Command, ctx: CliContext): void {
    program
      .command('inspect')
      .description('Summarise a model: inputs, outputs, opsets, IR version, operators, parameters, metadata.')
      .argument('<model>', 'ONNX model file')
      .option('--json', 'print the summary as JSON')
      .action(async (model: string, opts: { json?: boolean }) => {
        // Inspecting needs no weights, so external data files are not read (a missing one is no error here).
        const file = await openModelFile(model, { loadExternalData: false });
        const summary = inspect(file.model);
        ctx.stdout(opts.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
      });
  },
};

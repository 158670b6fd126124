import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  ARTIFACT_FILES,
  ARTIFACT_TARGETS,
  encodeArtifacts,
  generateArtifacts,
  type ArtifactOptions,
  type ArtifactSummary,
  type TrainingArtifacts,
} from '@onnxkit/core';
import { Option, type Command } from 'commander';
import { openModelFile, writeFileAtomic } from '@onnxkit/node';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';
import { batchNormOption } from '../training/training-options.js';

const LOSSES = ['cross-entropy', 'mse'] as const;
const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw', 'adagrad'] as const;

/** One written artifact file. */
export interface ArtifactFileReport {
  file: string;
  bytes: number;
  /** Node count of a model file; absent for the checkpoint. */
  nodes?: number;
}

/** What `onnxkit artifacts` prints (`--json` prints exactly this). */
export interface ArtifactsReport {
  /** The output folder (absolute). */
  out: string;
  files: ArtifactFileReport[];
  summary: ArtifactSummary;
}

/** Options of {@link writeArtifacts}: the generator's options as the command line gives them. */
export type ArtifactsCommandOptions = Pick<ArtifactOptions, 'loss' | 'optimizer' | 'trainable' | 'frozen' | 'target' | 'batchNorm'>;

/**
 * Loads `model` (with external data), generates its training artifacts and writes the four files into `out`
 * (created if missing), each atomically, so an interrupted run never leaves a torn file.
 */
export async function writeArtifacts(model: string, out: string, options: ArtifactsCommandOptions): Promise<ArtifactsReport> {
  const { model: inference } = await openModelFile(model);
  const artifacts = generateArtifacts(inference, options);
  const files = encodeArtifacts(artifacts);
  const dir = path.resolve(out);
  await mkdir(dir, { recursive: true });
  const nodes: Record<string, 'trainingModel' | 'evalModel' | 'optimizerModel'> = {
    [ARTIFACT_FILES.trainingModel]: 'trainingModel',
    [ARTIFACT_FILES.evalModel]: 'evalModel',
    [ARTIFACT_FILES.optimizerModel]: 'optimizerModel',
  };
  const written: ArtifactFileReport[] = [];
  for (const [name, bytes] of Object.entries(files)) {
    await writeFileAtomic(path.join(dir, name), bytes);
    const key = nodes[name];
    const graphNodes = key ? artifacts[key].graph.nodes.length : undefined;
    written.push({ file: name, bytes: bytes.byteLength, ...(graphNodes === undefined ? {} : { nodes: graphNodes }) });
  }
  return { out: dir, files: written, summary: artifacts.summary };
}

/** `1234567` → `1,234,567`, whatever the locale. */
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

function printText(report: ArtifactsReport, ctx: CliContext): void {
  const s = report.summary;
  const width = Math.max(...report.files.map((f) => f.file.length));
  const lines = [
    `wrote ${report.files.length} files to ${report.out}`,
    `trainable parameters: ${count(s.trainableElements)} values in ${s.trainable.length} tensors` +
      (s.frozen.length ? `; frozen: ${s.frozen.join(', ')}` : ''),
    `loss: ${s.loss} on '${s.prediction}'${s.bypassedSoftmax ? ` (trained through Softmax '${s.bypassedSoftmax}')` : ''}` +
      `; optimizer: ${s.optimizer.optimizer}; opset ${s.opset}; target ${s.target}` +
      (s.runningStatistics.length ? `; BatchNormalization trained: ${s.runningStatistics.length} running statistics updated` : ''),
    ...report.files.map(
      (f) => `  ${f.file.padEnd(width)}  ${(f.nodes === undefined ? '' : `${count(f.nodes)} nodes`).padStart(11)}  ${count(f.bytes)} bytes`,
    ),
  ];
  ctx.stdout(`${lines.join('\n')}\n`);
}

function names(option: string) {
  return (value: string): string[] => {
    const list = value.split(',').map((s) => s.trim());
    if (list.some((s) => s.length === 0)) {
      throw new CliUsageError(`${option} '${value}': expected comma-separated initializer names, e.g. ${option} conv1.weight,fc.bias`);
    }
    return list;
  };
}

/** `onnxkit artifacts <model> --out <dir> [--loss l] [--optimizer o] [--trainable a,b] [--frozen a,b] [--target t] [--batch-norm m]`. */
export const artifactsCommand: CliCommand = {
  name: 'artifacts',
  register(program: Command, ctx: CliContext): void {
    program
      .command('artifacts')
      .description(
        'Generate training artifacts (training, eval and optimizer models in standard ONNX ops, and a checkpoint) ' +
          'from an inference model.',
      )
      .argument('<model>', 'ONNX inference model file')
      .requiredOption('-o, --out <dir>', 'folder to write training_model.onnx, eval_model.onnx, optimizer_model.onnx, checkpoint')
      .addOption(new Option('--loss <loss>', 'loss on the model output').choices(LOSSES).default('cross-entropy'))
      .addOption(new Option('--optimizer <optimizer>', 'update rule').choices(OPTIMIZERS).default('adamw'))
      .option('--trainable <names>', 'train exactly these initializers (comma-separated); default: every learnable one', names('--trainable'))
      .option('--frozen <names>', 'keep these initializers constant (comma-separated)', names('--frozen'))
      .addOption(
        new Option('--target <target>', "formulation of the graphs: 'portable' runs on every device (WebGPU too), 'cpu' is faster on CPU and WASM")
          .choices(Object.keys(ARTIFACT_TARGETS))
          .default('portable'),
      )
      .addOption(batchNormOption())
      .option('--json', 'print a JSON report')
      .action(
        async (
          model: string,
          opts: {
            out: string;
            loss: ArtifactOptions['loss'];
            optimizer: ArtifactOptions['optimizer'];
            trainable?: string[];
            frozen?: string[];
            target: ArtifactOptions['target'];
            batchNorm: ArtifactOptions['batchNorm'];
            json?: boolean;
          },
        ) => {
          const report = await writeArtifacts(model, opts.out, {
            loss: opts.loss,
            optimizer: opts.optimizer,
            target: opts.target,
            batchNorm: opts.batchNorm,
            ...(opts.trainable ? { trainable: opts.trainable } : {}),
            ...(opts.frozen ? { frozen: opts.frozen } : {}),
          });
          if (opts.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
          else printText(report, ctx);
        },
      );
  },
};

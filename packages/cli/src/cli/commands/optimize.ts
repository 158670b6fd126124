import path from 'node:path';
import { DEFAULT_PASSES, encodeModel, optimizeModel, PASSES, type PassReport } from '@onnxkit/core';
import type { Command } from 'commander';
import { openModelFile, writeFileAtomic } from '@onnxkit/node';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';
import { nameList } from '../training/parse-values.js';

/** What `onnxkit optimize` prints (`--json` prints exactly this). */
export interface OptimizeReport {
  model: string;
  out: string;
  bytesBefore: number;
  bytesAfter: number;
  nodesBefore: number;
  nodesAfter: number;
  passes: PassReport[];
}

/** Optimizes the model file `model` into `out` with the given passes. */
export async function optimizeFile(model: string, out: string, options: { passes?: string[]; logits?: boolean | string }): Promise<OptimizeReport> {
  const file = await openModelFile(model);
  for (const p of options.passes ?? []) {
    if (!PASSES[p]) throw new CliUsageError(`--passes: unknown pass '${p}'; known passes: ${Object.keys(PASSES).join(', ')}`);
  }
  const result = optimizeModel(file.model, {
    ...(options.passes ? { passes: options.passes } : {}),
    ...(options.logits !== undefined ? { logits: options.logits } : {}),
  });
  const bytes = encodeModel(result.model);
  const target = path.resolve(out);
  await writeFileAtomic(target, bytes, { mkdir: true });
  return {
    model,
    out: target,
    bytesBefore: file.bytes.byteLength,
    bytesAfter: bytes.byteLength,
    nodesBefore: result.nodesBefore,
    nodesAfter: result.nodesAfter,
    passes: result.passes,
  };
}

/** `1234567` → `1,234,567`, whatever the locale. */
export const count = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** `<dir>/<name>.<suffix>.onnx` next to the input model. */
export function defaultOut(model: string, suffix: string): string {
  const base = path.basename(model).replace(/\.onnx$/i, '');
  return path.join(path.dirname(model), `${base}.${suffix}.onnx`);
}

function printText(r: OptimizeReport, ctx: CliContext): void {
  const lines = [
    `optimized ${r.model} → ${r.out}`,
    `nodes: ${r.nodesBefore} → ${r.nodesAfter}; size: ${count(r.bytesBefore)} → ${count(r.bytesAfter)} bytes`,
  ];
  for (const p of r.passes) {
    lines.push(`  ${p.pass}: ${p.changed === 0 ? 'nothing to do' : `${p.changed} change${p.changed === 1 ? '' : 's'}`}`);
    for (const note of p.notes.slice(0, 20)) lines.push(`    ${note}`);
    if (p.notes.length > 20) lines.push(`    … ${p.notes.length - 20} more`);
  }
  ctx.stdout(`${lines.join('\n')}\n`);
}

/** `onnxkit optimize <model> [-o out] [--passes a,b] [--logits [name]] [--json]`. */
export const optimizeCommand: CliCommand = {
  name: 'optimize',
  register(program: Command, ctx: CliContext): void {
    program
      .command('optimize')
      .description(
        'Rewrite a model with graph passes that keep its outputs: constant folding, Conv+BatchNormalization fusion, ' +
          'Identity/Dropout removal, dead code; optionally drop the final Softmax to output logits.',
      )
      .argument('<model>', 'ONNX model file')
      .option('-o, --out <file>', 'where to write the optimized model (default: <model>.optimized.onnx)')
      .option('--passes <names>', `passes to run, in order (default: ${DEFAULT_PASSES.join(',')})`, nameList('--passes', 'fold-constants,fuse-conv-bn'))
      .option('--logits [name]', "remove a final Softmax so the model outputs logits (output name: 'logits' or the one given)")
      .option('--json', 'print a JSON report')
      .action(async (model: string, flags: { out?: string; passes?: string[]; logits?: boolean | string; json?: boolean }) => {
        const report = await optimizeFile(model, flags.out ?? defaultOut(model, 'optimized'), {
          ...(flags.passes ? { passes: flags.passes } : {}),
          ...(flags.logits !== undefined ? { logits: flags.logits } : {}),
        });
        if (flags.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else printText(report, ctx);
      });
  },
};

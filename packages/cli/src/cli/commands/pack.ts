import { Option, type Command } from 'commander';
import { packModel, type PackReport } from '../../pack/index.js';
import { PACK_TARGETS, type PackTarget } from '../../pack/targets.js';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { count } from './optimize.js';

function printText(r: PackReport, ctx: CliContext): void {
  const width = Math.max(...r.files.map((f) => f.file.length));
  const lines = [
    `packed ${r.model} for ${r.target} into ${r.out}`,
    ...r.files.map((f) => `  ${f.file.padEnd(width)}  ${count(f.bytes).padStart(12)} bytes`),
    `total: ${count(r.totalBytes)} bytes (${(r.totalBytes / 1048576).toFixed(1)} MiB)`,
    ...r.notes.map((n) => `note: ${n}`),
    r.target === 'node' ? `run: node ${r.out}/onnxkit.mjs <image.png>` : `serve ${r.out} over HTTP and open index.html`,
  ];
  ctx.stdout(`${lines.join('\n')}\n`);
}

/** `onnxkit pack <model> --target node|browser-wasm|browser-webgpu -o <dir> [--json]`. */
export const packCommand: CliCommand = {
  name: 'pack',
  register(program: Command, ctx: CliContext): void {
    program
      .command('pack')
      .description('Write a self-contained folder that classifies with the model, with no install step: the onnxkit runtime in one ESM file, the model and ORT\'s files for the target.')
      .argument('<model>', 'ONNX classifier (its onnxkit.labels/onnxkit.preprocessing metadata travel with it)')
      .addOption(new Option('--target <target>', Object.entries(PACK_TARGETS).map(([k, v]) => `${k}: ${v}`).join('; ')).choices(Object.keys(PACK_TARGETS)).makeOptionMandatory())
      .requiredOption('-o, --out <dir>', 'the folder to write')
      .option('--json', 'print a JSON report')
      .action(async (model: string, flags: { target: PackTarget; out: string; json?: boolean }) => {
        const report = await packModel(model, { target: flags.target, out: flags.out });
        if (flags.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else printText(report, ctx);
      });
  },
};

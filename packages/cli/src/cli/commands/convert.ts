import path from 'node:path';
import { convertKeras, encodeModel, type ConvertOptions, type ConvertResult } from '@onnxkit/core';
import type { Command } from 'commander';
import { readUntrustedFile, writeFileAtomic } from '@onnxkit/node';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { CliUsageError } from '../errors.js';

/** Options of {@link convertModelFile}: the converter's options plus the weights file. */
export interface ConvertFileOptions extends ConvertOptions {
  /** The weights-only `.h5` of a Keras topology JSON, or a Keras 3 `.weights.h5` for a `.keras` archive. @defaultValue none */
  weights?: string;
}

/** What {@link convertModelFile} returns: the conversion and the encoded model. */
export interface ConvertedFile extends ConvertResult {
  /** The ONNX model, encoded. */
  bytes: Uint8Array;
}

/**
 * Reads a Keras (`.keras`, `.h5`, topology JSON + `weights`), TF.js Layers or TF.js graph (`model.json`)
 * model from disk and converts it; TF.js weight shards are read from `model.json`'s folder, and only when
 * they are regular files inside it (a `FileAccessError` otherwise). The format is detected from the
 * content, not the file name.
 */
export async function convertModelFile(model: string, options: ConvertFileOptions = {}): Promise<ConvertedFile> {
  const { weights, ...convertOptions } = options;
  const dir = path.dirname(path.resolve(model));
  const result = await convertKeras(
    {
      model: await readUntrustedFile(model, { kind: 'model', what: 'model' }),
      ...(weights ? { weights: await readUntrustedFile(weights, { kind: 'weights', what: 'weights file' }) } : {}),
      // The core has already refused `..` and absolute paths; a symbolic link out of the folder, a FIFO
      // or a device (e.g. a shard linked to /dev/zero) is refused here.
      readFile: (shard) => readUntrustedFile(path.join(dir, shard), { kind: 'weights', what: 'weight shard', within: dir }),
      fileName: path.basename(model),
    },
    convertOptions,
  );
  return { ...result, bytes: encodeModel(result.model) };
}

/** What `onnxkit convert` prints (`--json` prints exactly this). */
export interface ConvertReport {
  model: string;
  out: string;
  bytes: number;
  format: ConvertResult['format'];
  kerasVersion?: string;
  opset: number;
  layers: number;
  inputs: ConvertResult['inputs'];
  outputs: ConvertResult['outputs'];
  preprocessing?: ConvertResult['preprocessing'];
}

const dims = (shape: readonly (number | string | null)[]) => `[${shape.map((d) => d ?? '?').join(', ')}]`;

function printText(r: ConvertReport, ctx: CliContext): void {
  const lines = [
    `converted ${r.model} (${r.format}${r.kerasVersion ? `, Keras ${r.kerasVersion}` : ''}, ${r.layers} layers) to ${r.out}: ${r.bytes.toLocaleString('en-US')} bytes, opset ${r.opset}`,
    ...r.inputs.map((i) => `  input  ${i.name} float32 ${dims(i.shape)}`),
    ...r.outputs.map((o) => `  output ${o.name} float32 ${dims(o.shape)}`),
  ];
  const p = r.preprocessing;
  if (p) lines.push(`  preprocessing: ${p.height}x${p.width}x${p.channels} ${p.layout}, pixels ${Array.isArray(p.scale) ? `in [${p.scale.join(', ')}]` : 'normalised by mean/std'}${p.polarity ? `, ${p.polarity}` : ''}${p.procedure ? `, ${p.procedure}` : ''}`);
  ctx.stdout(`${lines.join('\n')}\n`);
}

function parseOpset(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n)) throw new CliUsageError(`--opset '${text}': expected an integer, e.g. --opset 17`);
  return n;
}

function parseOutputs(text: string): ConvertOptions['outputs'] {
  if (text === 'all' || text === 'last') return text;
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n.length === 0)) throw new CliUsageError(`--outputs '${text}': expected all, last or comma-separated output names`);
  return names;
}

function parseScale(text: string): [number, number] {
  if (text !== '1' && text !== '255') throw new CliUsageError(`--scale '${text}': expected 1 (pixels in [0, 1]) or 255 (pixels in [0, 255])`);
  return [0, Number(text)];
}

/** `onnxkit convert <model> -o <model.onnx> [--weights w.h5] [--nchw] [--opset n] [--outputs o] [--scale s]`. */
export const convertCommand: CliCommand = {
  name: 'convert',
  register(program: Command, ctx: CliContext): void {
    program
      .command('convert')
      .description(
        'Convert a Keras model (.keras, .h5, or topology JSON with --weights) or a TF.js Layers or graph model.json to ONNX. ' +
          'The format is read from the content, not the file name.',
      )
      .argument('<model>', 'model.keras, model.h5, topology .json or TF.js model.json (its weight shards beside it)')
      .requiredOption('-o, --out <file>', 'ONNX file to write')
      .option('--weights <file>', 'weights-only .h5 for a Keras topology JSON, or a Keras 3 .weights.h5 replacing the weights of a .keras archive')
      .option('--nchw', 'expose image inputs channels-first [N, C, H, W] (default: Keras NHWC)')
      .option('--opset <n>', 'ONNX opset, 13 to 21 (default 17)', parseOpset)
      .option('--outputs <which>', "'all' (default), 'last', or comma-separated Keras output names", parseOutputs)
      .option('--scale <max>', 'pixel range the model was trained on, 1 or 255 (default 1; written to the preprocessing spec)', parseScale)
      .option('--json', 'print a JSON report')
      .action(
        async (
          model: string,
          opts: { out: string; weights?: string; nchw?: boolean; opset?: number; outputs?: ConvertOptions['outputs']; scale?: [number, number]; json?: boolean },
        ) => {
          const r = await convertModelFile(model, {
            ...(opts.weights ? { weights: opts.weights } : {}),
            layout: opts.nchw ? 'NCHW' : 'NHWC',
            ...(opts.opset !== undefined ? { opset: opts.opset } : {}),
            ...(opts.outputs ? { outputs: opts.outputs } : {}),
            ...(opts.scale ? { preprocessing: { scale: opts.scale } } : {}),
          });
          await writeFileAtomic(opts.out, r.bytes, { mkdir: true });
          const report: ConvertReport = {
            model,
            out: path.resolve(opts.out),
            bytes: r.bytes.byteLength,
            format: r.format,
            ...(r.kerasVersion ? { kerasVersion: r.kerasVersion } : {}),
            opset: r.card.opset,
            layers: r.card.layers.length,
            inputs: r.inputs,
            outputs: r.outputs,
            ...(r.preprocessing ? { preprocessing: r.preprocessing } : {}),
          };
          if (opts.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
          else printText(report, ctx);
        },
      );
  },
};

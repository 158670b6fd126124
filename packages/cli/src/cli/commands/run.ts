import { createSession, type AdapterInfo, type DataType, type DeviceFailure, type DeviceOption, type Feeds } from '@onnxkit/core';
import type { Command } from 'commander';
import { openModelFile, tensorToJson, type JsonTensor } from '@onnxkit/node';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { formatTensorText } from '../format-tensor.js';
import { DEVICE_HELP, deviceLines } from '../device-lines.js';
import { parseDevice } from '../parse-device.js';
import { parseInputArg, readInputs, type InputArg } from '../parse-inputs.js';

/** Options of {@link runModel}, as `onnxkit run` parses them. */
export interface RunCommandOptions {
  /** The `--input` arguments. */
  inputs: readonly InputArg[];
  /** Devices to try. @defaultValue 'auto' */
  device?: DeviceOption;
}

/** What `onnxkit run` prints (`--json` prints exactly this). */
export interface RunReport {
  /** Model file as given. */
  model: string;
  /** The device that ran the model. */
  device: string;
  /** The adapter the device runs on, when the runtime identified it (webgpu). */
  adapter?: AdapterInfo;
  /** Devices tried first and why each failed. */
  fallbacks: DeviceFailure[];
  /** Every model output, in the model's order, with all its values. */
  outputs: JsonTensor[];
}

/** Loads `model` (with its external data), feeds the input files and runs it once. */
export async function runModel(model: string, options: RunCommandOptions): Promise<RunReport> {
  const file = await openModelFile(model);
  const session = await createSession(file.bytes, { device: options.device ?? 'auto' });
  try {
    const tensors = await readInputs(options.inputs, session.inputs);
    const feeds: Record<string, Feeds[string]> = {};
    for (const [name, t] of tensors) {
      feeds[name] = { data: t.data, dims: t.dims, dtype: t.dtype as DataType };
    }
    const results = await session.run(feeds).catch((err: unknown) => {
      // The session's checks speak API ("run(feeds): input 'x' …"); on the command line the input is enough.
      if (err instanceof Error) err.message = err.message.replace(/^run\(feeds\): /, '');
      throw err;
    });
    const outputs: JsonTensor[] = [];
    for (const spec of session.outputs) {
      const out = results[spec.name];
      if (!out) continue;
      const data = await out.getData();
      outputs.push({ ...tensorToJson({ dtype: out.dtype, dims: out.dims, data }), name: spec.name });
    }
    const adapter = session.adapter ? { adapter: session.adapter } : {};
    return { model, device: session.device, ...adapter, fallbacks: [...session.fallbacks], outputs };
  } finally {
    await session.release();
  }
}

function printText(report: RunReport, ctx: CliContext): void {
  const lines = deviceLines(report);
  for (const o of report.outputs) {
    // JSON carries int64 beyond 2^53 as strings and booleans as true/false; print them as they are.
    const data = o.data.map((v) => (typeof v === 'boolean' ? Number(v) : v));
    lines.push(formatTensorText({ name: o.name ?? '', dtype: o.dtype, dims: o.dims, data }));
  }
  ctx.stdout(`${lines.join('\n')}\n`);
}

const collect = (value: string, previous: InputArg[] | undefined): InputArg[] => [...(previous ?? []), parseInputArg(value)];

/** `onnxkit run <model> --input name=file … [--device d] [--json]`. */
export const runCommand: CliCommand = {
  name: 'run',
  register(program: Command, ctx: CliContext): void {
    program
      .command('run')
      .description('Run a model once on input tensors and print its outputs and the device that ran it.')
      .argument('<model>', 'ONNX model file (external data is loaded from its folder)')
      .option(
        '-i, --input <name=file>',
        'an input tensor from .npy, .json ({dims,data,dtype} or nested array) or .pb (TensorProto); ' +
          'repeat for each input; the name may be left out when the model has one input',
        collect,
      )
      .option('-d, --device <device>', DEVICE_HELP, 'auto')
      .option('--json', 'print a JSON report with every output value')
      .action(async (model: string, opts: { input?: InputArg[]; device: string; json?: boolean }) => {
        const device = parseDevice(opts.device);
        const report = await runModel(model, { inputs: opts.input ?? [], device });
        if (opts.json) ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
        else printText(report, ctx);
      });
  },
};

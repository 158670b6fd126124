import { formatSpec, type TensorData, type TensorSpec } from '@onnxkit/core';
import { readTensorFile } from '@onnxkit/node';
import { CliUsageError } from './errors.js';

/** One `--input` as written: an optional input name and a file. */
export interface InputArg {
  readonly name?: string;
  readonly file: string;
}

/** Parses `name=file` or a bare `file`; the name is everything before the first `=`. */
export function parseInputArg(text: string): InputArg {
  const eq = text.indexOf('=');
  if (eq < 0) {
    if (!text) throw new CliUsageError(`--input '': expected name=file or file`);
    return { file: text };
  }
  const name = text.slice(0, eq);
  const file = text.slice(eq + 1);
  if (!name || !file) throw new CliUsageError(`--input '${text}': expected name=file, e.g. --input x=digit.npy`);
  return { name, file };
}

function listInputs(specs: readonly TensorSpec[]): string {
  return specs.map(formatSpec).join(', ');
}

/**
 * Reads each `--input` file and pairs it with a model input. A bare file goes to the model's only input,
 * or to the input a TensorProto file names itself after. JSON files without a dtype take the input's dtype.
 * Unknown names, an input given twice and unnamed files the model cannot place throw a CliUsageError that
 * lists the model's inputs, as does a model input no `--input` feeds.
 */
export async function readInputs(args: readonly InputArg[], specs: readonly TensorSpec[]): Promise<Map<string, TensorData>> {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const feeds = new Map<string, TensorData>();
  for (const arg of args) {
    if (arg.name !== undefined && !byName.has(arg.name)) {
      throw new CliUsageError(`--input ${arg.name}=${arg.file}: the model has no input '${arg.name}'; its inputs: ${listInputs(specs)}`);
    }
    const only = specs.length === 1 ? specs[0] : undefined;
    const spec = arg.name !== undefined ? byName.get(arg.name) : only;
    const tensor = await readTensorFile(arg.file, spec?.dtype ? { dtype: spec.dtype } : {});
    const name = spec?.name ?? (byName.has(tensor.name) ? tensor.name : undefined);
    if (name === undefined) {
      throw new CliUsageError(
        `--input ${arg.file}: the model has ${specs.length} inputs, so name the one this file feeds ` +
          `(--input name=${arg.file}); its inputs: ${listInputs(specs)}`,
      );
    }
    if (feeds.has(name)) throw new CliUsageError(`--input: input '${name}' is given twice`);
    feeds.set(name, tensor);
  }
  const missing = specs.filter((s) => !feeds.has(s.name));
  if (missing.length > 0) {
    throw new CliUsageError(
      `no --input for ${missing.map((s) => `'${s.name}'`).join(', ')}; the model's inputs: ${listInputs(specs)}`,
    );
  }
  return feeds;
}

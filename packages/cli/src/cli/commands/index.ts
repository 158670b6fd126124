import type { CliCommand } from '../command.js';
import { artifactsCommand } from './artifacts.js';
import { convertCommand } from './convert.js';
import { classifyCommand } from './classify.js';
import { evalCommand } from './eval.js';
import { federatedCommand } from './federated.js';
import { finetuneCommand } from './finetune.js';
import { inspectCommand } from './inspect.js';
import { optimizeCommand } from './optimize.js';
import { packCommand } from './pack.js';
import { quantizeCommand } from './quantize.js';
import { runCommand } from './run.js';
import { trainCommand } from './train.js';
import { workerCommand } from './worker.js';

/** Every `onnxkit` subcommand, in the order `--help` lists them. Add new commands here. */
export const COMMANDS: readonly CliCommand[] = Object.freeze([inspectCommand, runCommand, artifactsCommand, trainCommand, finetuneCommand, evalCommand, classifyCommand, convertCommand, optimizeCommand, quantizeCommand, packCommand, workerCommand, federatedCommand]);

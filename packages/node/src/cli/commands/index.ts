import type { CliCommand } from '../command.js';
import { artifactsCommand } from './artifacts.js';
import { inspectCommand } from './inspect.js';
import { runCommand } from './run.js';

/** Every `onnxkit` subcommand, in the order `--help` lists them. Add new commands here. */
export const COMMANDS: readonly CliCommand[] = Object.freeze([inspectCommand, runCommand, artifactsCommand]);

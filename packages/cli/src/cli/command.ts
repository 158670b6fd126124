import type { Command } from 'commander';
import type { CliContext } from './context.js';

/**
 * One `onnxkit` subcommand. Each lives in its own file under `commands/` and is listed once in
 * `commands/index.ts`; `register` adds it (arguments, options, help, action) to the root program.
 */
export interface CliCommand {
  /** The subcommand's name, e.g. `'run'`. */
  readonly name: string;
  /** Adds the subcommand to `program`; the action writes through `ctx` and throws on failure. */
  register(program: Command, ctx: CliContext): void;
}

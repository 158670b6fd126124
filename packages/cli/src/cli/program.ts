import { Command, CommanderError } from 'commander';
// Importing the package entry registers the Node runtime that sessions run on.
import '@onnxkit/node';
import packageJson from '../../package.json' with { type: 'json' };
import { COMMANDS } from './commands/index.js';
import { processContext, type CliContext } from './context.js';
import { CliUsageError, oneLine } from './errors.js';

/** Builds the `onnxkit` program with every registered subcommand; output goes through `ctx`. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('onnxkit')
    .description('Run, inspect and fine-tune ONNX models on the device where they run.')
    .version(packageJson.version, '-V, --version', 'print the onnxkit version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout(s),
      // Commander's own errors ("error: unknown option '--x'") are one line already; keep the prefix uniform.
      writeErr: (s) => ctx.stderr(s),
      outputError: (s, write) => write(`onnxkit: ${oneLine(s)}\n`),
    });
  program.addHelpText('after', '\nRun `onnxkit <command> --help` for a command\'s options.');
  for (const command of COMMANDS) command.register(program, ctx);
  // Subcommands inherit the root's output handling and exit override.
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/**
 * Runs `onnxkit` with `argv` (the arguments after the program name) and returns the exit code: 0 on success
 * (and for `--help`/`--version`), 1 on any error, which is printed as one line on stderr (`ONNXKIT_DEBUG=1`
 * adds the stack trace).
 */
export async function runCli(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  const program = createProgram(ctx);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 1;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // already printed by outputError, or help/version (0)
    ctx.stderr(`onnxkit: error: ${oneLine(err)}\n`);
    if (ctx.env.ONNXKIT_DEBUG === '1' && err instanceof Error && !(err instanceof CliUsageError)) {
      ctx.stderr(`${err.stack ?? ''}\n`);
    }
    return 1;
  }
}

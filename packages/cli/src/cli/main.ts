import { runCli } from './program.js';

// The `onnxkit` executable (bin): everything testable lives in program.ts.
process.exitCode = await runCli(process.argv.slice(2));

import path from 'node:path';
import type { Command } from 'commander';
import { startClassifyWorker } from '../../queue/classify-worker.js';
import type { CliCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { positiveInt } from '../training/parse-values.js';

interface WorkerFlags {
  queue: string;
  root: string;
  queueName?: string;
  workers?: number;
  concurrency: number;
  lockMs: number;
}

/** `onnxkit worker --queue redis://host:port [--root dir]`: takes classification jobs until stopped (Ctrl-C, SIGTERM). */
export const workerCommand: CliCommand = {
  name: 'worker',
  register(program: Command, ctx: CliContext): void {
    program
      .command('worker')
      .description(
        'Take classification jobs from a BullMQ queue on Redis (filled by onnxkit classify --queue) until stopped; ' +
          'job file names are read from inside --root. A job of a worker that dies is redone by another.',
      )
      .requiredOption('-q, --queue <url>', 'the Redis of the queue, redis://host:port')
      .option('--root <dir>', 'the folder job file names are relative to (the folder given to classify --queue)', '.')
      .option('--queue-name <name>', 'BullMQ queue name (default onnxkit-classify)')
      .option('--workers <n>', 'decoding threads (default: one per core)', positiveInt('--workers'))
      .option('--concurrency <n>', 'jobs at once', positiveInt('--concurrency'), 1)
      .option('--lock-ms <ms>', "how long a silent worker's job stays locked before another takes it", positiveInt('--lock-ms'), 30_000)
      .action(async (flags: WorkerFlags) => {
        const worker = await startClassifyWorker({
          url: flags.queue,
          root: path.resolve(flags.root),
          ...(flags.queueName ? { queue: flags.queueName } : {}),
          ...(flags.workers ? { workers: flags.workers } : {}),
          concurrency: flags.concurrency,
          lockMs: flags.lockMs,
          log: (line) => ctx.stderr(`${line}\n`),
        });
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        ctx.stderr('stopping: finishing the jobs in hand\n');
        await worker.close();
      });
  },
};

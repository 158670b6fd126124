import type { SessionOptions } from '../../runtime/session-options.js';
import { withoutSpinWait } from '../../runtime/spin-wait.js';

/**
 * The Trainer's defaults on top of the caller's session options: ORT's intra-op threads do not
 * spin-wait for work (`session.intra_op.allow_spinning = '0'`) unless the caller sets that key in
 * `extra`. A training step is tens of milliseconds, so the latency spinning saves is negligible, while
 * the spinning threads of the Trainer's idle sessions (eval, optimizer) and of other processes take
 * cores from the one that runs: measured here with 2 threads on 2 shared cores, a seed-CNN step at
 * batch 64 took about half the time without spinning (see docs/BENCHMARKS.md).
 */
export function withTrainerDefaults<T extends SessionOptions>(options: T): T {
  return withoutSpinWait(options);
}

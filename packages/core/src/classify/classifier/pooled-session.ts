import type { SessionOptions } from '../../runtime/session-options.js';
import { withoutSpinWait } from '../../runtime/spin-wait.js';

/**
 * Session options of a classifier that decodes in a pool: one intra-op thread that does not spin-wait,
 * unless the caller sets `intraOpNumThreads` or `allow_spinning`. The pool's workers already use every
 * core, and inference is a small share of the work for photos; ORT's own threads would take cores from
 * the workers (a spinning thread burns one after every batch), and ORT pins them to cores of its choosing,
 * outside a `taskset` the process was started under.
 */
export function pooledSessionOptions<T extends SessionOptions>(options: T): T {
  return withoutSpinWait({ ...options, intraOpNumThreads: options.intraOpNumThreads ?? 1 });
}

import type { SessionOptions } from '../../runtime/session-options.js';

const SPINNING_KEY = 'session.intra_op.allow_spinning';

/**
 * The Trainer's defaults on top of the caller's session options: ORT's intra-op threads do not
 * spin-wait for work (`session.intra_op.allow_spinning = '0'`) unless the caller sets that key in
 * `extra`. A training step is tens of milliseconds, so the latency spinning saves is negligible, while
 * the spinning threads of the Trainer's idle sessions (eval, optimizer) and of other processes take
 * cores from the one that runs: measured here with 2 threads on 2 shared cores, a seed-CNN step at
 * batch 64 took about half the time without spinning (see docs/BENCHMARKS.md).
 */
export function withTrainerDefaults<T extends SessionOptions>(options: T): T {
  const extra = options.extra ?? {};
  if (hasKey(extra, SPINNING_KEY.split('.'))) return options;
  const session = record(extra.session);
  const intraOp = record(session.intra_op);
  return { ...options, extra: { ...extra, session: { ...session, intra_op: { ...intraOp, allow_spinning: '0' } } } };
}

/** Whether `extra` sets the key given as path segments, nested (`{ session: { intra_op: … } }`) or flat (`'session.intra_op.…'`). */
function hasKey(extra: Record<string, unknown>, path: readonly string[]): boolean {
  for (let i = 1; i <= path.length; i++) {
    const head = path.slice(0, i).join('.');
    if (!(head in extra)) continue;
    if (i === path.length) return true;
    const inner = extra[head];
    if (inner && typeof inner === 'object' && hasKey(inner as Record<string, unknown>, path.slice(i))) return true;
  }
  return false;
}

function record(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

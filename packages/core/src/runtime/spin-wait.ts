import type { SessionOptions } from './session-options.js';

const SPINNING_KEY = 'session.intra_op.allow_spinning';

/**
 * `options` with ONNX Runtime's intra-op threads told not to spin-wait for work
 * (`session.intra_op.allow_spinning = '0'`), unless the caller sets that key in `extra` (nested or flat).
 * A spinning thread keeps a core busy after every run, taking it from whatever else needs it (other
 * sessions, decoding workers, other processes). Returns `options` itself when the key is already set.
 */
export function withoutSpinWait<T extends SessionOptions>(options: T): T {
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

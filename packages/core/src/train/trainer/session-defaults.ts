import type { SessionOptions } from '../../runtime/session-options.js';
import { withoutSpinWait } from '../../runtime/spin-wait.js';

/**
 * The Trainer's defaults on top of the caller's session options (each only where the caller did not
 * set it):
 *
 * - ORT's intra-op threads do not spin-wait for work (`session.intra_op.allow_spinning = '0'` in
 *   `extra`). A training step is tens of milliseconds, so the latency spinning saves is negligible, while
 *   the spinning threads of the Trainer's idle sessions (eval, optimizer) and of other processes take
 *   cores from the one that runs: measured here with 2 threads on 2 shared cores, a seed-CNN step at
 *   batch 64 took about half the time without spinning (see docs/BENCHMARKS.md).
 * - No memory pattern (`enableMemPattern: false`). With it, ORT's CPU provider serves the first run from
 *   its arena tensor by tensor, records the sizes, and from the second run on allocates the planned
 *   block in one piece; the arena cannot hand out the first run's chunks as that block and never shrinks,
 *   so it holds both: training mobilenet_v2 at batch 16, 128×128, peak RSS went from 982 MiB after the
 *   first step to 1,638 MiB after the second. Without the pattern the arena reuses its chunks (1,030
 *   MiB) and a step is as fast (median 1.14 vs 1.19 s on 1 thread, 0.68 vs 0.71 s with 2 replicas;
 *   the seed CNN at batch 64: 31.8 vs 31.3 ms and 22.0 vs 22.3 ms, within the noise; docs/BENCHMARKS.md,
 *   "Training a real architecture").
 */
export function withTrainerDefaults<T extends SessionOptions>(options: T): T {
  const out = withoutSpinWait(options);
  return out.enableMemPattern === undefined ? { ...out, enableMemPattern: false } : out;
}

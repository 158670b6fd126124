import type { StopSignal } from '@onnxkit/core';
import type { CliContext } from '../context.js';

/** A stop signal raised by Ctrl-C (SIGINT) while it is installed. */
export interface InterruptSignal extends StopSignal {
  /** Stops listening for SIGINT (Node's default handling returns). */
  dispose(): void;
}

/** A second SIGINT sooner than this after the first is the same Ctrl-C delivered twice (e.g. relayed by a wrapper process). */
const REPEAT_MS = 1000;

/**
 * Listens for Ctrl-C during training: the first SIGINT asks fit() to stop at the next batch boundary
 * (so a checkpoint can be written); another one a second or more later exits at once with code 130.
 */
export function interruptOnSigint(ctx: CliContext): InterruptSignal {
  const state = { aborted: false, at: 0 };
  const onSigint = () => {
    if (state.aborted) {
      if (Date.now() - state.at >= REPEAT_MS) process.exit(130);
      return;
    }
    state.aborted = true;
    state.at = Date.now();
    ctx.stderr('\ninterrupted: stopping after this batch and saving a checkpoint (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  return {
    get aborted() {
      return state.aborted;
    },
    dispose: () => void process.off('SIGINT', onSigint),
  };
}

/**
 * Helpers for browser entry scripts run by `harness.ts`: where things are served, and how to hand a
 * result (or an error) back to the test.
 */

/** URL prefixes the harness serves. */
export const served = Object.freeze({
  /** onnxruntime-web's dist folder (for `configureWeb({ wasmPaths })`). */
  ort: '/ort/',
  /** `../shared/fixtures`. */
  fixtures: '/fixtures/',
  /** The repository root. */
  repo: '/',
});

type HarnessState = { done: boolean; result?: unknown; error?: string };

/**
 * Runs `work` and publishes its result for `runInBrowser`. The result crosses into Node through
 * Playwright's serializer: convert typed arrays with `Array.from` first.
 */
export function report(work: () => Promise<unknown>): void {
  const g = globalThis as { __harness?: HarnessState };
  work().then(
    (result) => {
      g.__harness = { done: true, result };
    },
    (e: unknown) => {
      g.__harness = { done: true, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) };
    },
  );
}

import { Random } from '@onnxkit/core';

/** A seeded stream in [0, 1) from core's mulberry32 `Random`, so test data is the same on every run. */
export function seeded(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

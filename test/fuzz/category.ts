import type { Random } from '@onnxkit/core';
import type { FuzzCase } from './outcome.js';

/** A family of inputs for one entry point (or a few), built from seed files. */
export interface Category {
  /** Short name printed in the table. */
  readonly name: string;
  /** Cases it makes by default. */
  readonly count: number;
  /** Prepares seed files under `dir` (a fresh folder); what it returns is passed to {@link make}. */
  setup(dir: string): Promise<unknown>;
  /** Case `index`, from its own seeded `rng`, with files under `dir` (a fresh folder per case). */
  make(index: number, rng: Random, dir: string, context: unknown): Promise<FuzzCase>;
}

import { describe, expect, it } from 'vitest';
import { formatCounts, MEMORY_BUDGET_MIB, runFuzz } from './run-fuzz.js';

// Seeded and bounded: the same ~2,900 inputs on every run (ONNXKIT_FUZZ_SEED / ONNXKIT_FUZZ_SCALE change
// them); about a minute on two cores. `npx tsx test/fuzz/run-fuzz.ts` runs it alone and prints the table.
describe('fuzz: hostile models, checkpoints, converted files, tensors, images and special files', () => {
  it('every input ends in a typed error or an acceptance: no hang, no crash, no read outside its folder, memory in budget', { timeout: 600_000 }, async () => {
    const rows = await runFuzz({ seed: Number(process.env.ONNXKIT_FUZZ_SEED ?? 12), scale: Number(process.env.ONNXKIT_FUZZ_SCALE ?? 1) });
    console.log(`fuzz counts (seed ${process.env.ONNXKIT_FUZZ_SEED ?? 12}):\n${formatCounts(rows)}`);
    const problems = rows.flatMap((r) => r.untyped.map((u) => `${r.category} ${u}`));
    expect(problems).toEqual([]);
    for (const r of rows) {
      expect(r.tried).toBeGreaterThan(0);
      expect(r.typed + r.accepted).toBe(r.tried);
      expect(r.maxRssMiB).toBeLessThanOrEqual(MEMORY_BUDGET_MIB);
    }
    // Each category must refuse most of what it is fed: a fuzzer whose inputs all pass tests nothing.
    for (const r of rows) expect(r.typed).toBeGreaterThan(r.tried / 3);
  });
});

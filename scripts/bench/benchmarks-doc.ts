// docs/BENCHMARKS.md is shared: each benchmark script owns one "## …" section and rewrites only it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The shared results file. */
export const BENCHMARKS_DOC = path.resolve(import.meta.dirname, '../../docs/BENCHMARKS.md');

const INTRO =
  '# Benchmarks\n\nMeasured by `pnpm bench` (scripts/bench/run-all.ts) on the machine named in each section: command, machine, median of several runs, ratios against the comparison measured in the same run.\n';

/**
 * Replaces the section whose heading line is exactly `heading` (up to the next `## `), or appends it,
 * leaving every other section as it is. The file is read right before writing: other scripts own the
 * other sections.
 */
export function writeBenchmarkSection(heading: string, section: string, file = BENCHMARKS_DOC): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : INTRO;
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = current.search(new RegExp(`^${escaped}\\s*$`, 'm'));
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const rest = current.slice(start + 1);
    const end = rest.search(/^## /m);
    next = current.slice(0, start) + section + (end < 0 ? '' : `\n${rest.slice(end)}`);
  }
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`);
}

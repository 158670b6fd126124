import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATEGORIES } from './categories/index.js';
import type { Outcome } from './outcome.js';

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** Seed of every mutation. @defaultValue 12 */
  seed?: number;
  /** Multiplies each category's case count. @defaultValue 1 */
  scale?: number;
  /** A case that makes no progress for this long is a hang. @defaultValue 20000 */
  hangMs?: number;
  /** Categories run at once (one child process each). @defaultValue 2 */
  parallel?: number;
  /** Only these categories. @defaultValue all */
  only?: readonly string[];
}

/** Counts of one category. */
export interface CategoryCounts {
  category: string;
  tried: number;
  typed: number;
  accepted: number;
  hangs: number;
  crashes: number;
  escapes: number;
  /** The cases that hung, crashed, escaped or threw an untyped error (counted as a crash), one line each. */
  untyped: string[];
  /** Peak resident memory of the category's process, MiB. */
  maxRssMiB: number;
  seconds: number;
}

/** Memory budget of one category's process (peak resident set): the largest input it accepts is far below. */
export const MEMORY_BUDGET_MIB = 1024;

/** ONNXKIT_FUZZ_VERBOSE=1 lists accepted cases too. */
const VERBOSE = process.env.ONNXKIT_FUZZ_VERBOSE === '1';
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

/** Runs the categories in child processes (a hang or a native crash costs one case, not the run). */
export async function runFuzz(options: FuzzOptions = {}): Promise<CategoryCounts[]> {
  const seed = options.seed ?? 12;
  const scale = options.scale ?? 1;
  const hangMs = options.hangMs ?? 20_000;
  const todo = CATEGORIES.filter((c) => !options.only || options.only.includes(c.name));
  const root = await mkdtemp(path.join(tmpdir(), 'onnxkit-fuzz-'));
  const results: CategoryCounts[] = [];
  try {
    const queue = [...todo];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        results.push(await runCategory(c.name, seed, Math.max(1, Math.round(c.count * scale)), path.join(root, c.name), hangMs));
      }
    };
    await Promise.all(Array.from({ length: options.parallel ?? 2 }, worker));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return todo.map((c) => results.find((r) => r.category === c.name)!);
}

async function runCategory(name: string, seed: number, count: number, dir: string, hangMs: number): Promise<CategoryCounts> {
  const started = Date.now();
  const counts: CategoryCounts = { category: name, tried: 0, typed: 0, accepted: 0, hangs: 0, crashes: 0, escapes: 0, untyped: [], maxRssMiB: 0, seconds: 0 };
  const add = (i: number, outcome: Outcome, detail: string, label: string) => {
    counts.tried++;
    if (outcome === 'typed') counts.typed++;
    else if (outcome === 'accepted') counts.accepted++;
    else if (outcome === 'escape') counts.escapes++;
    else if (outcome === 'hang') counts.hangs++;
    else counts.crashes++;
    if (outcome === 'untyped' || outcome === 'crash' || outcome === 'hang' || outcome === 'escape' || (VERBOSE && outcome === 'accepted')) {
      counts.untyped.push(`#${i} ${label}: ${outcome} ${detail}`);
    }
  };
  let from = 0;
  while (from < count) {
    const { next, rssKiB } = await runChild(name, seed, from, count, dir, hangMs, add);
    counts.maxRssMiB = Math.max(counts.maxRssMiB, Math.round(rssKiB / 1024));
    from = next;
  }
  counts.seconds = Math.round((Date.now() - started) / 100) / 10;
  return counts;
}

/** Runs one child from case `from`; returns the next case to run (after a hang or crash, the one after it). */
function runChild(
  name: string,
  seed: number,
  from: number,
  count: number,
  dir: string,
  hangMs: number,
  add: (i: number, outcome: Outcome, detail: string, label: string) => void,
): Promise<{ next: number; rssKiB: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'child.ts'), name, String(seed), String(from), String(count), dir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ONNXKIT_DEBUG: '' },
    });
    let current = from;
    let label = '(setup)';
    let done = false;
    let rssKiB = 0;
    let hung = false;
    let stderr = '';
    let timer = setTimeout(onHang, hangMs * 3); // setup (imports, seed files) gets longer
    function onHang() {
      hung = true;
      child.kill('SIGKILL');
    }
    const rearm = () => {
      clearTimeout(timer);
      timer = setTimeout(onHang, hangMs);
    };
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const [tag, a, ...rest] = line.split(' ');
        if (tag === 'S') {
          current = Number(a);
          label = rest.join(' ');
          rearm();
        } else if (tag === 'R') {
          add(Number(a), rest[0] as Outcome, rest.slice(1).join(' '), label);
          current = Number(a) + 1;
          rearm();
        } else if (tag === 'D') {
          rssKiB = Number(a);
          done = true;
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (done) return resolve({ next: count, rssKiB });
      if (current >= count) return resolve({ next: count, rssKiB });
      add(current, hung ? 'hang' : 'crash', hung ? `no progress for ${hangMs} ms` : `process died (code ${code}, signal ${signal}): ${stderr.split('\n').slice(-3).join(' ')}`, label);
      resolve({ next: current + 1, rssKiB });
    });
  });
}

/** The counts as a table, one row per category and a total. */
export function formatCounts(rows: readonly CategoryCounts[]): string {
  const head = ['category', 'tried', 'typed errors', 'accepted', 'hangs', 'crashes', 'escapes', 'max RSS MiB', 's'];
  const total = rows.reduce(
    (t, r) => ({ ...t, tried: t.tried + r.tried, typed: t.typed + r.typed, accepted: t.accepted + r.accepted, hangs: t.hangs + r.hangs, crashes: t.crashes + r.crashes, escapes: t.escapes + r.escapes, maxRssMiB: Math.max(t.maxRssMiB, r.maxRssMiB), seconds: t.seconds + r.seconds }),
    { category: 'total', tried: 0, typed: 0, accepted: 0, hangs: 0, crashes: 0, escapes: 0, untyped: [], maxRssMiB: 0, seconds: 0 } as CategoryCounts,
  );
  const body = [...rows, total].map((r) => [r.category, r.tried, r.typed, r.accepted, r.hangs, r.crashes, r.escapes, r.maxRssMiB, r.seconds.toFixed(1)].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const only = process.env.ONNXKIT_FUZZ_ONLY?.split(',').filter(Boolean);
  const rows = await runFuzz({
    seed: Number(process.env.ONNXKIT_FUZZ_SEED ?? 12),
    scale: Number(process.env.ONNXKIT_FUZZ_SCALE ?? 1),
    ...(only ? { only } : {}),
  });
  console.log(formatCounts(rows));
  for (const r of rows) for (const u of r.untyped) console.log(`${r.category} ${u}`);
  const bad = rows.some((r) => r.hangs + r.crashes + r.escapes > 0 || r.maxRssMiB > MEMORY_BUDGET_MIB);
  process.exit(bad ? 1 : 0);
}

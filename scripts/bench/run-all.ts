// `pnpm bench`: runs every benchmark script in scripts/bench, one after another (never two at once:
// they would disturb each other's timings), then prints a summary.
//
//   pnpm bench [--no-write] [--quick] [--only training,inference,...]
//
// By default each script replaces its own section of docs/BENCHMARKS.md; --no-write only prints.
// --quick runs the scripts that have a quick mode in it (a smoke test: it never writes the docs).
// Scripts not listed in KNOWN below run without arguments; profile-training.ts is a diagnostic that
// training.ts already runs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    'no-write': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const write = !values['no-write'] && !values.quick;
const here = import.meta.dirname;
const repoRoot = path.resolve(here, '../..');
const jsonDir = mkdtempSync(path.join(tmpdir(), 'onnxkit-bench-all-'));

interface Script {
  /** Arguments for this run; `json` is a file the script may write its results to. */
  args: (json: string) => string[];
  /** One line per headline figure, from the script's JSON results. */
  summary?: (results: unknown) => string[];
}

const KNOWN: Record<string, Script> = {
  'training.ts': {
    args: (json) => ['--json', json, ...(write ? ['--write'] : []), ...(values.quick ? ['--quick'] : [])],
    summary: (r) => {
      const t = r as {
        throughput: { batch: number; threads: number; ratio: number; cpu: { ratio: number } }[];
        epoch?: { onnxkit: number; torch: number };
        fineTune: { trainable: string; onnxkit: number; torch: number }[];
      };
      return [
        ...t.throughput.map(
          (x) => `throughput batch ${x.batch}, ${x.threads} thread(s): onnxkit / PyTorch ${x.ratio.toFixed(2)} (wall), ${x.cpu.ratio.toFixed(2)} (CPU time)`,
        ),
        ...(t.epoch ? [`epoch of 9,000 digits: onnxkit ${t.epoch.onnxkit.toFixed(1)} s, PyTorch ${t.epoch.torch.toFixed(1)} s`] : []),
        ...t.fineTune.map((x) => `fine-tuning 1,000 digits, ${x.trainable}: onnxkit ${x.onnxkit.toFixed(2)} s, PyTorch ${x.torch.toFixed(2)} s`),
      ];
    },
  },
  'training-wasm.ts': {
    args: (json) => ['--json', json, ...(write ? ['--write'] : []), ...(values.quick ? ['--quick'] : [])],
    summary: (r) =>
      (r as { throughput: { batch: number; median: Record<'portable' | 'cpu' | 'tfjs', number>; ratios: { cpuVsTfjs: number; cpuVsPortable: number } }[] }).throughput.map(
        (t) =>
          `WASM in Chromium, batch ${t.batch}: onnxkit portable ${t.median.portable.toFixed(0)}, cpu ${t.median.cpu.toFixed(0)}, TF.js cpu ${t.median.tfjs.toFixed(1)} samples/s ` +
          `(cpu / TF.js ${t.ratios.cpuVsTfjs.toFixed(2)}, cpu / portable ${t.ratios.cpuVsPortable.toFixed(2)})`,
      ),
  },
  'inference.ts': { args: (json) => ['--json', json, ...(write ? ['--write'] : []), ...(values.quick ? ['--quick'] : [])] },
  'web-bundle-size.ts': { args: (json) => ['--json', json, ...(write ? [] : ['--no-write'])] },
};
const SKIP = new Set(['run-all.ts', 'profile-training.ts', 'training-report.ts', 'benchmarks-doc.ts', 'measure.ts']);

const found = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes('.tmp.') && !SKIP.has(f))
  .sort((a, b) => (a in KNOWN ? Object.keys(KNOWN).indexOf(a) : 99) - (b in KNOWN ? Object.keys(KNOWN).indexOf(b) : 99) || a.localeCompare(b));
const only = values.only?.split(',').map((s) => (s.endsWith('.ts') ? s : `${s}.ts`));
if (only) {
  const unknown = only.filter((s) => !found.includes(s));
  if (unknown.length) throw new RangeError(`--only: no benchmark script ${unknown.join(', ')} in scripts/bench (found: ${found.join(', ')})`);
}
const scripts = only ? found.filter((f) => only.includes(f)) : found;

function run(file: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, file), ...args], { cwd: repoRoot, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const rows: { file: string; code: number; seconds: number; lines: string[] }[] = [];
try {
  for (const file of scripts) {
    const json = path.join(jsonDir, `${file}.json`);
    const args = KNOWN[file]?.args(json) ?? [];
    console.log(`\n=== ${file} ${args.filter((a) => a !== json && a !== '--json').join(' ')}`.trimEnd());
    const t0 = performance.now();
    const code = await run(file, args);
    const seconds = (performance.now() - t0) / 1000;
    let lines: string[] = [];
    const summary = KNOWN[file]?.summary;
    if (code === 0 && summary && existsSync(json)) {
      try {
        lines = summary(JSON.parse(readFileSync(json, 'utf8')));
      } catch (e) {
        lines = [`(no summary: ${(e as Error).message})`];
      }
    }
    rows.push({ file, code, seconds, lines });
  }
} finally {
  rmSync(jsonDir, { recursive: true, force: true });
}

console.log('\n=== summary');
for (const r of rows) {
  console.log(`${r.code === 0 ? 'ok    ' : `FAILED (exit ${r.code})`} ${r.file} (${r.seconds.toFixed(0)} s)`);
  for (const l of r.lines) console.log(`         ${l}`);
}
console.log(write ? '\ndocs/BENCHMARKS.md: each script above replaced its own section.' : '\ndocs/BENCHMARKS.md not written (--no-write or --quick).');
if (rows.some((r) => r.code !== 0)) process.exitCode = 1;

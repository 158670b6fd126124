/**
 * One training step of the seed CNN (training_model → optimizer_model → eval_model on the new
 * parameters) on 'webgpu' and on 'wasm', same weights and batch. Console markers `### begin <device>
 * <graph>` / `### end …` delimit each session so the test can read ORT's node-placement lines.
 */
import { configureWeb, createSession, encodeModel, type Model } from '@onnxkit/web';
import { buildSeedCnn, SEED_CNN_PARAMETERS } from '../../../packages/core/src/models/index.js';
import { generateArtifacts } from '../../../packages/core/src/train/index.js';
import { report, served } from '../page-api.js';

const BATCH = 2;
const LR = 1e-3;

interface Manifest {
  labels: number[];
  bin: string;
  tensors: { name: string; role: string; shape: number[]; offset: number; length: number }[];
}

async function loadFixture() {
  const base = `${served.repo}test/fixtures/torch/`;
  const manifest = (await (await fetch(`${base}seed-cnn.json`)).json()) as Manifest;
  const all = new Float32Array(await (await fetch(base + manifest.bin)).arrayBuffer());
  const get = (role: string, name: string) => {
    const t = manifest.tensors.find((x) => x.role === role && x.name === name)!;
    return all.slice(t.offset, t.offset + t.length);
  };
  const weights = Object.fromEntries(SEED_CNN_PARAMETERS.map((p) => [p.name, get('param', p.name)]));
  const labels = new Float32Array(BATCH * 10);
  manifest.labels.slice(0, BATCH).forEach((c, i) => (labels[i * 10 + c] = 1));
  return { weights, input: get('input', 'input').slice(0, BATCH * 784), labels };
}

type Numbers = Record<string, number[]>;

async function run(device: 'webgpu' | 'wasm', graph: string, model: Model, feeds: Record<string, { data: Float32Array; dims: readonly number[] }>) {
  console.log(`### begin ${device} ${graph}`);
  const session = await createSession(encodeModel(model), { device, logSeverityLevel: 0, logVerbosityLevel: 0 });
  try {
    const out = await session.run(feeds);
    const numbers: Numbers = {};
    for (const [k, v] of Object.entries(out)) numbers[k] = Array.from((await v.getData()) as Float32Array);
    return { device: session.device, numbers };
  } finally {
    await session.release();
    console.log(`### end ${device} ${graph}`);
  }
}

report(async () => {
  configureWeb({ wasmPaths: served.ort, logLevel: 'verbose' });
  const { weights, input, labels } = await loadFixture();
  const art = generateArtifacts(buildSeedCnn({ weights }), { loss: 'cross-entropy', optimizer: 'adamw', weightDecay: 0.01 });
  const params = Object.fromEntries(art.summary.trainable.map((t) => [t.name, { data: weights[t.name], dims: t.dims }]));
  const zeros = Object.fromEntries(
    art.summary.optimizerState.map((s) => {
      const owner = params[s.slice(0, s.lastIndexOf('.'))];
      return [s, { data: new Float32Array(owner.data.length), dims: owner.dims }];
    }),
  );
  const data = { input: { data: input, dims: [BATCH, 1, 28, 28] }, labels: { data: labels, dims: [BATCH, 10] } };

  const results: Record<string, { devices: string[]; numbers: Numbers }> = {};
  for (const device of ['webgpu', 'wasm'] as const) {
    const train = await run(device, 'training', art.trainingModel, { ...data, ...params });
    const grads = Object.fromEntries(
      art.summary.trainable.map((t) => [`${t.name}_grad`, { data: Float32Array.from(train.numbers[`${t.name}_grad`]), dims: t.dims }]),
    );
    const step = { data: Float32Array.of(0), dims: [] };
    const lr = { data: Float32Array.of(LR), dims: [] };
    const opt = await run(device, 'optimizer', art.optimizerModel, { learning_rate: lr, step, ...params, ...grads, ...zeros });
    const next = Object.fromEntries(art.summary.trainable.map((t) => [t.name, { data: Float32Array.from(opt.numbers[`${t.name}.new`]), dims: t.dims }]));
    const evaluation = await run(device, 'eval', art.evalModel, { ...data, ...next });
    results[device] = {
      devices: [train.device, opt.device, evaluation.device],
      numbers: { ...train.numbers, ...opt.numbers, eval_loss: evaluation.numbers.loss, probabilities: evaluation.numbers.probabilities },
    };
  }
  return { results, nodes: art.summary.nodes };
});

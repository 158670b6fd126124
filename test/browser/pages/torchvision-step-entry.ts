/**
 * One training step (training_model, then optimizer_model) of torchvision architectures on 'webgpu':
 * the exports of test/fixtures/torchvision at opset 17, the portable target, 64×64 (squeezenet1_1
 * 66×66), batch 2, BatchNormalization frozen and in training mode. Console markers `### begin webgpu
 * <arch>/<mode>/<graph>` / `### end …` delimit each session so the test can read ORT's node placement.
 * The architectures come from the bundle's `__ARCHITECTURES__` define.
 */
import { configureWeb, createSession, decodeModel, encodeModel, type Model } from '@onnxkit/web';
import { generateArtifacts, type BatchNormMode } from '../../../packages/core/src/train/index.js';
import { hashedValues, withHashedWeights, type HashedTensorSpec } from '../../../packages/testkit/src/torchvision-hash.js';
import { report, served } from '../page-api.js';

declare const __ARCHITECTURES__: string[];
const CLASSES = 10;
type Feeds = Record<string, { data: Float32Array; dims: readonly number[] }>;

async function run(label: string, model: Model, feeds: Feeds): Promise<{ device: string; out: Record<string, Float32Array> }> {
  console.log(`### begin webgpu ${label}`);
  const session = await createSession(encodeModel(model), { device: 'webgpu', logSeverityLevel: 0, logVerbosityLevel: 0 });
  try {
    const result = await session.run(feeds);
    const out: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(result)) out[k] = (await v.getData()) as Float32Array;
    return { device: session.device, out };
  } finally {
    await session.release();
    console.log(`### end webgpu ${label}`);
  }
}

report(async () => {
  configureWeb({ wasmPaths: served.ort, logLevel: 'verbose' });
  const base = `${served.repo}test/fixtures/torchvision/`;
  const results: Record<string, { devices: string[]; loss: number; finite: boolean }> = {};
  for (const arch of __ARCHITECTURES__) {
    const doc = (await (await fetch(`${base}${arch}.json`)).json()) as { input: HashedTensorSpec; labels: number[]; tensors: HashedTensorSpec[] };
    const onnx = new Uint8Array(await (await fetch(`${base}${arch}-opset17.onnx`)).arrayBuffer());
    const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
    const labels = new Float32Array(doc.labels.length * CLASSES);
    doc.labels.forEach((c, i) => (labels[i * CLASSES + c] = 1));
    const data: Feeds = {
      input: { data: hashedValues(size(doc.input.shape), doc.input.seed, doc.input.offset, doc.input.scale), dims: doc.input.shape },
      labels: { data: labels, dims: [doc.labels.length, CLASSES] },
    };
    for (const mode of ['frozen', 'train'] as BatchNormMode[]) {
      const model = withHashedWeights(decodeModel(onnx), doc.tensors);
      const art = generateArtifacts(model, { optimizer: 'adamw', target: 'portable', batchNorm: mode });
      const inits = new Map(model.graph.initializers.map((t) => [t.name, t]));
      const feed = (name: string) => [name, { data: inits.get(name)!.data as Float32Array, dims: inits.get(name)!.dims }] as const;
      const params: Feeds = Object.fromEntries(art.summary.trainable.map((t) => feed(t.name)));
      const running: Feeds = Object.fromEntries(art.summary.runningStatistics.map((s) => feed(s.name)));
      const train = await run(`${arch}/${mode}/training`, art.trainingModel, { ...data, ...params, ...running });
      const grads: Feeds = Object.fromEntries(art.summary.trainable.map((t) => [`${t.name}_grad`, { data: train.out[`${t.name}_grad`], dims: t.dims }]));
      const zeros: Feeds = Object.fromEntries(art.summary.optimizerState.map((s) => [s, { data: new Float32Array(params[s.slice(0, s.lastIndexOf('.'))].data.length), dims: params[s.slice(0, s.lastIndexOf('.'))].dims }]));
      const opt = await run(`${arch}/${mode}/optimizer`, art.optimizerModel, {
        learning_rate: { data: Float32Array.of(1e-3), dims: [] },
        step: { data: Float32Array.of(0), dims: [] },
        ...params,
        ...grads,
        ...zeros,
      });
      const updated = Object.values(opt.out);
      results[`${arch}/${mode}`] = {
        devices: [train.device, opt.device],
        loss: train.out.loss[0],
        finite: updated.every((t) => t.every(Number.isFinite)) && Object.values(train.out).every((t) => t.every(Number.isFinite)),
      };
    }
  }
  return results;
});

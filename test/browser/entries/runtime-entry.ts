/**
 * Runs mnist-8 with device 'webgpu' and 'wasm' (and 'auto') in the page; markers in the console log delimit
 * each session so the test can read its node-placement lines.
 */
import { configureWeb, createSession, type Session } from '@onnxkit/web';
import { report, served } from '../page-api.js';

const MODEL_URL = `${served.fixtures}models/mnist-onnx/mnist-8.onnx`;

/** A deterministic stroke-like 28x28 image in 0..1 (a diagonal bar plus a ring). */
function digit(): Float32Array {
  const img = new Float32Array(28 * 28);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const r = Math.hypot(x - 14, y - 12);
      img[y * 28 + x] = Math.max(Math.abs(x - y) < 2 ? 1 : 0, Math.abs(r - 7) < 1.5 ? 0.8 : 0);
    }
  }
  return img;
}

async function runOnce(session: Session, input: Float32Array) {
  const out = await session.run({ Input3: input });
  const y = out.Plus214_Output_0;
  const data = Array.from(y.data as Float32Array);
  return { device: session.device, fallbacks: session.fallbacks, dims: y.dims, dtype: y.dtype, data };
}

report(async () => {
  configureWeb({ wasmPaths: served.ort, logLevel: 'verbose' });
  const input = digit();

  console.log('### begin webgpu');
  const gpu = await createSession(MODEL_URL, { device: 'webgpu', logSeverityLevel: 0 });
  const webgpu = await runOnce(gpu, input);
  await gpu.release();
  console.log('### end webgpu');

  const bytes = await (await fetch(MODEL_URL)).arrayBuffer();
  console.log('### begin wasm');
  const cpu = await createSession(bytes, { device: 'wasm', logSeverityLevel: 0 });
  const wasm = await runOnce(cpu, input);
  await cpu.release();
  console.log('### end wasm');

  const auto = await createSession(new Uint8Array(bytes));
  const autoResult = { device: auto.device, fallbacks: auto.fallbacks };
  let badInput = '';
  try {
    await auto.run({ Input3: { data: new Float32Array(10), dims: [1, 10] } });
  } catch (e) {
    badInput = `${(e as Error).name}: ${(e as Error).message}`;
  }
  await auto.release();

  return { webgpu, wasm, auto: autoResult, badInput, crossOriginIsolated: globalThis.crossOriginIsolated };
});

/** In a browser without a WebGPU adapter: 'auto' falls back to wasm, a strict 'webgpu' throws. */
import { configureWeb, createSession } from '@onnxkit/web';
import { report, served } from '../page-api.js';

report(async () => {
  configureWeb({ wasmPaths: served.ort });
  const url = `${served.fixtures}models/mnist-onnx/mnist-8.onnx`;
  const auto = await createSession(url);
  const out = await auto.run({ Input3: new Float32Array(784) });
  const result = { device: auto.device, fallbacks: auto.fallbacks, dims: out.Plus214_Output_0.dims, strict: '' };
  await auto.release();
  try {
    await createSession(url, { device: 'webgpu' });
  } catch (e) {
    result.strict = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return result;
});

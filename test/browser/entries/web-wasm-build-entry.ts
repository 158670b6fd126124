/** The WASM-only build `@onnxkit/web/wasm`: runs on wasm, says why not webgpu, and loads only the WASM files. */
// Relative, as tsconfig.json has no '@onnxkit/web/wasm' path yet (the bundle is the same either way).
import { configureWeb, createSession } from '@onnxkit/web/wasm';
import { report, served } from '../page-api.js';
import { mnistDigits, ortFilesLoaded } from './web-digits.js';

report(async () => {
  configureWeb({ wasmPaths: served.ort });
  const data = await mnistDigits(1);
  const session = await createSession(`${served.repo}models/onnx/mnist-cnn.onnx`);
  const out = await session.run({ input: { data: data.images, dims: [10, 1, 28, 28] } });
  const probabilities = Array.from((await out.probabilities.getData()) as Float32Array);
  await session.release();
  const strict = await createSession(`${served.repo}models/onnx/mnist-cnn.onnx`, { device: 'webgpu' }).then(
    () => 'created',
    (e: Error) => `${e.name}: ${e.message}`,
  );
  return { device: session.device, fallbacks: session.fallbacks, probabilities, strict, runtime: session.runtime.name, ortFiles: ortFilesLoaded() };
});

import { configureWeb, createSession } from '@onnxkit/web';
import { report, served } from '../page-api.js';
report(async () => {
  configureWeb({ wasmPaths: served.ort });
  const url = `${served.fixtures}models/mnist-onnx/mnist-8.onnx`;
  const res: unknown[] = [];
  for (const po of [{ preferredLayout: 'XYZ' }, { deviceId: -5 }]) {
    console.log('try', JSON.stringify(po));
    try {
      const s = await createSession(url, { device: ['webgpu', 'wasm'], providerOptions: { webgpu: po } });
      res.push({ po, device: s.device, fallbacks: s.fallbacks });
    } catch (e) { res.push({ po, err: String(e) }); }
  }
  try { await createSession(`${served.fixtures}nope.onnx`); } catch (e) { res.push(String(e)); }
  return res;
});

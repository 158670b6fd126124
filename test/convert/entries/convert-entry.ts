/**
 * Converts one fixture of each format in the page (fflate for the .keras zip, jsfive for HDF5, fetch
 * for TF.js shards), runs each converted model on WASM and reports the outputs.
 */
import { configureWeb, convertKeras, createSession, encodeModel } from '@onnxkit/web';
import { report, served } from '../../browser/page-api.js';
import { BROWSER_FIXTURES, strokeImage } from '../test-image.js';

const get = async (rel: string) => new Uint8Array(await (await fetch(`${served.fixtures}${rel}`)).arrayBuffer());

report(async () => {
  configureWeb({ wasmPaths: served.ort });
  const image = strokeImage();
  const results = [];
  for (const f of BROWSER_FIXTURES) {
    const dir = f.model.slice(0, f.model.lastIndexOf('/') + 1);
    const converted = await convertKeras(
      {
        model: await get(f.model),
        ...('weights' in f ? { weights: await get(f.weights) } : {}),
        readFile: (p) => get(`${dir}${p}`),
      },
      { outputs: 'last' },
    );
    const session = await createSession(encodeModel(converted.model), { device: 'wasm' });
    const input = converted.inputs[0];
    const out = await session.run({ [input.name]: { data: image, dims: [1, ...input.shape.slice(1).map(Number)] } });
    const output = out[converted.outputs[0].name];
    results.push({ model: f.model, format: converted.format, device: session.device, data: Array.from((await output.getData()) as Float32Array) });
    await session.release();
  }
  return results;
});

// Run an ONNX model in the page on WebGPU, falling back to WASM. Bundle this with any bundler;
// onnxruntime-web's .wasm files must be served (configureWeb tells ORT where).
import { configureWeb, createSession } from '@onnxkit/web';

configureWeb({ wasmPaths: '/ort/' }); // where onnxruntime-web/dist is served
const session = await createSession('/fixtures/models/mnist-onnx/mnist-8.onnx', { device: 'auto' });
const why = session.fallbacks.map((f) => `${f.device}: ${f.error}`).join('; ');
console.log(`running on ${session.device}${why ? ` (fell back: ${why})` : ''}`);

const canvas = new OffscreenCanvas(28, 28); // draw a digit: a white vertical stroke on black
const ctx = canvas.getContext('2d')!;
ctx.fillStyle = 'black';
ctx.fillRect(0, 0, 28, 28);
ctx.fillStyle = 'white';
ctx.fillRect(13, 4, 3, 20);
const rgba = ctx.getImageData(0, 0, 28, 28).data;
const pixels = Float32Array.from({ length: 784 }, (_, i) => rgba[i * 4] / 255);

const outputs = await session.run({ [session.inputs[0].name]: { data: pixels, dims: [1, 1, 28, 28] } });
const scores = Array.from(await outputs[session.outputs[0].name].getData() as Float32Array);
console.log(`predicted digit: ${scores.indexOf(Math.max(...scores))}`);
await session.release();

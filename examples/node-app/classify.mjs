// Classify a PNG with the shipped digit model (loaded by name), then fine-tune it a few steps on that image.
// examples/node-app: npm install @onnxkit/node, then node classify.mjs digit.png
import { Classifier, generateArtifacts, loadModelFile, shippedModelPath, Trainer } from '@onnxkit/node';

const image = process.argv[2] ?? 'digit.png';
const classifier = await Classifier.load('mnist-cnn');
const { label, probability } = await classifier.classify(image);
console.log(`${image}: ${label} (${(probability * 100).toFixed(1)}%) on ${classifier.session.device}`);

// Fine-tune: training artifacts generated in JavaScript, three steps on this image as a 7.
const model = await loadModelFile(shippedModelPath('mnist-cnn'));
const trainer = await Trainer.create(generateArtifacts(model, { optimizer: 'adamw' }), { device: 'cpu' });
const input = { data: await classifier.preprocess(image), dims: [1, 1, 28, 28] };
const seven = { data: Float32Array.from({ length: 10 }, (_, i) => (i === 7 ? 1 : 0)), dims: [1, 10] };
for (let step = 1; step <= 3; step++) {
  const { loss } = await trainer.trainStep({ input }, seven);
  await trainer.optimizerStep({ learningRate: 1e-3 });
  trainer.lazyResetGrad();
  console.log(`step ${step}: loss ${loss.toFixed(5)}`);
}
await trainer.release();
await classifier.dispose();

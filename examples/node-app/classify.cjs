// The same app in CommonJS: require() gets @onnxkit/node's CJS build.
const { Classifier, generateArtifacts, loadModelFile, shippedModelPath, Trainer } = require('@onnxkit/node');

async function main(image) {
  const classifier = await Classifier.load('mnist-cnn');
  const { label, probability } = await classifier.classify(image);
  console.log(`${image}: ${label} (${(probability * 100).toFixed(1)}%) on ${classifier.session.device}`);
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
}

main(process.argv[2] ?? 'digit.png').catch((err) => {
  console.error(err);
  process.exit(1);
});

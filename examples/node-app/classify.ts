// The app in TypeScript (type-checked with module node16 and with moduleResolution bundler).
import { Classifier, generateArtifacts, loadModelFile, shippedModelPath, Trainer, type Classification, type TensorInit } from '@onnxkit/node';

export async function classifyAndTune(image: string, steps: number): Promise<{ top: Classification; losses: number[] }> {
  const classifier = await Classifier.load('mnist-cnn');
  const top = await classifier.classify(image);
  const model = await loadModelFile(shippedModelPath('mnist-cnn'));
  const trainer = await Trainer.create(generateArtifacts(model, { optimizer: 'adamw' }), { device: 'cpu' });
  const input: TensorInit = { data: await classifier.preprocess(image), dims: [1, 1, 28, 28] };
  const seven: TensorInit = { data: Float32Array.from({ length: 10 }, (_, i) => (i === 7 ? 1 : 0)), dims: [1, 10] };
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    losses.push((await trainer.trainStep({ input }, seven)).loss);
    await trainer.optimizerStep({ learningRate: 1e-3 });
    trainer.lazyResetGrad();
  }
  await trainer.release();
  await classifier.dispose();
  return { top, losses };
}

import { argmax, batches, classificationReport, imagesToFeed, oneHot, type ClassificationReport, type ImageDataset, type Trainer } from '@onnxkit/core';

/** Accuracy, per-class metrics and the confusion matrix of the trainer's current parameters on `data`. */
export async function trainerReport(trainer: Trainer, data: ImageDataset, labels: readonly string[], batchSize = 256): Promise<ClassificationReport> {
  const classes = trainer.labelWidth ?? labels.length;
  const predicted = new Int32Array(data.count);
  let k = 0;
  for (const b of batches(data, { batchSize })) {
    const { outputs } = await trainer.evalStep(imagesToFeed(trainer, b.images, b.count, data.shape), {
      data: oneHot(b.labels, classes),
      dims: [b.count, classes],
    });
    const scores = Object.values(outputs)[0].data as Float32Array;
    for (let i = 0; i < b.count; i++) predicted[k++] = argmax(scores, i * classes, classes);
  }
  return classificationReport(data.labels, predicted, labels);
}

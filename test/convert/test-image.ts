/** A deterministic stroke-like 28×28 image in 0..1 (a diagonal bar and a ring), the same in Node and browsers. */
export function strokeImage(): Float32Array {
  const img = new Float32Array(28 * 28);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const r = Math.hypot(x - 14, y - 12);
      img[y * 28 + x] = Math.max(Math.abs(x - y) < 2 ? 1 : 0, Math.abs(r - 7) < 1.5 ? 0.8 : 0);
    }
  }
  return img;
}

/** Fixtures the browser test converts in the page: one of each format. */
export const BROWSER_FIXTURES = [
  { model: 'keras/Arunkumar7812+Digit-recognizer-CNN/mnist_model.keras' },
  { model: 'keras/Purinat33+CNN-Classroom/mnist_cnn.h5' },
  { model: 'keras/tensorspace/docs/keras/rawModel/separated/topology.json', weights: 'keras/tensorspace/docs/keras/rawModel/separated/weights.h5' },
  { model: 'tfjs/tensorspace/examples/lenet/lenetModel/mnist.json' },
  { model: 'tfjs/tensorspace/docs/tensorflow/convertedModel/graphModel/model.json' },
] as const;

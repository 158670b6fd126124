// TypeScript compiled as CommonJS (.cts under module node16): resolves @onnxkit/node's `require` types.
import { Classifier, MODEL_NAMES } from '@onnxkit/node';

export async function labelOf(image: string): Promise<string> {
  const classifier = await Classifier.load(MODEL_NAMES[0]);
  const { label } = await classifier.classify(image);
  await classifier.dispose();
  return label;
}

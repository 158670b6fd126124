import { Classifier, PREPROCESSING_KEY, type DeviceOption, type ImagePool, type PreprocessingOption } from '@onnxkit/core';
import { nodeImageDecoder, openModelFile } from '@onnxkit/node';
import { CliUsageError } from '../errors.js';

/** Options of every `onnxkit classify` mode, as it parses them. */
export interface ClassifyCommandOptions {
  /** Classes listed per image. @defaultValue 1 */
  top?: number;
  /** Devices to try. @defaultValue 'auto' */
  device?: DeviceOption;
  /** Preprocessing when the model has no spec (or to override it). @defaultValue the model's spec */
  preprocess?: PreprocessingOption;
  /** Class labels. @defaultValue the model's */
  labels?: string[];
  /** Images per inference call. @defaultValue 64 */
  batchSize?: number;
  /** Pixel limit per image. @defaultValue 50,000,000 */
  maxPixels?: number;
}

/**
 * Loads `model` as `onnxkit classify` does (images decoded in `pool` when given); throws a usage error
 * saying how to give a spec when the model has no preprocessing spec and none is given.
 */
export async function loadClassifier(model: string, options: ClassifyCommandOptions, pool?: ImagePool): Promise<Classifier> {
  const file = await openModelFile(model);
  const clf = await Classifier.load(file.bytes, {
    device: options.device ?? 'auto',
    decoder: nodeImageDecoder,
    ...(pool ? { pool } : {}),
    ...(options.preprocess !== undefined ? { preprocessing: options.preprocess } : {}),
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.maxPixels ? { maxPixels: options.maxPixels } : {}),
  });
  if (!clf.preprocessing) {
    await clf.dispose();
    throw new CliUsageError(
      `${model} has no preprocessing spec (metadata '${PREPROCESSING_KEY}'), so images cannot be turned into its input: ` +
        `pass --preprocess mnist (digits), --preprocess resize, or a JSON spec such as --preprocess '{"procedure":"resize","scale":[0,255]}'`,
    );
  }
  return clf;
}

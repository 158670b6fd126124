import type { Model } from '@onnxkit/core';
import { CliUsageError } from '../errors.js';

/** The image input of a classifier: its name, layout and the image size it takes. */
export interface ImageInputSpec {
  name: string;
  /** NCHW (PyTorch, onnxkit) or NHWC (Keras, TF.js conversions). */
  layout: 'NCHW' | 'NHWC';
  channels: number;
  height: number;
  width: number;
  /** The batch size when the model fixes it (e.g. mnist-8's 1); undefined when it is dynamic. */
  fixedBatch?: number;
}

/**
 * The model's image input: its only data input (not an initializer), float32 of rank 4 with static
 * C, H, W. NHWC is recognised by a last dimension of 1 or 3 with a larger second one. Throws a
 * CliUsageError naming the input otherwise.
 */
export function imageInputSpec(model: Model): ImageInputSpec {
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((v) => !initializers.has(v.name));
  if (inputs.length !== 1) {
    throw new CliUsageError(`the model has ${inputs.length} data inputs (${inputs.map((v) => v.name).join(', ')}); image commands need exactly one`);
  }
  const input = inputs[0];
  const type = input.type;
  const shape = type?.kind === 'tensor' ? type.shape : undefined;
  if (type?.kind !== 'tensor' || type.dtype !== 'float32' || !shape || shape.length !== 4) {
    throw new CliUsageError(`the model's input '${input.name}' is not a float32 image batch of rank 4 ([N, C, H, W] or [N, H, W, C])`);
  }
  const [n, a, b, c] = shape;
  if (typeof a !== 'number' || typeof b !== 'number' || typeof c !== 'number') {
    throw new CliUsageError(`the model's input '${input.name}' has dims [${shape.join(', ')}]; its image size must be fixed`);
  }
  const nhwc = (c === 1 || c === 3) && a > 4;
  const fixedBatch = typeof n === 'number' && n > 0 ? n : undefined;
  return nhwc
    ? { name: input.name, layout: 'NHWC', channels: c, height: a, width: b, ...(fixedBatch ? { fixedBatch } : {}) }
    : { name: input.name, layout: 'NCHW', channels: a, height: b, width: c, ...(fixedBatch ? { fixedBatch } : {}) };
}

/** `1×28×28` */
export function formatImageSize(s: { channels: number; height: number; width: number }): string {
  return `${s.channels}×${s.height}×${s.width}`;
}

/**
 * The preprocessing of a model trained here from scratch: images resized and scaled to 0..1, as the
 * data loaders give them; MNIST-layout data is light ink on dark (an image folder's polarity is unknown).
 */
export function defaultPreprocessing(input: ImageInputSpec, lightOnDark: boolean): string {
  const { layout, height, width, channels } = input;
  return JSON.stringify({ layout, height, width, channels, scale: [0, 1], ...(lightOnDark ? { polarity: 'light-on-dark' } : {}), procedure: 'resize' });
}

import { checkPreprocessingSpec, type PartialPreprocessingSpec, type PreprocessingSpec } from '../../classify/metadata/preprocessing-spec.js';
import type { KerasModel, ModelGraph, WeightSource } from '../topology/types.js';
import type { EmittedValue } from './emit-graph.js';

/** The model card stored as JSON in metadata_props `onnxkit.card`. */
export interface ConvertedCard {
  name: string;
  source: { format: KerasModel['format']; kerasVersion?: string; backend?: string; modelClass: ModelGraph['kind'] | 'GraphModel' };
  convertedBy: string;
  opset: number;
  inputLayout: 'NHWC' | 'NCHW';
  inputs: EmittedValue[];
  outputs: EmittedValue[];
  /** The output holding the prediction: the last one (earlier ones of multi-output models are often intermediate layers). */
  prediction: string;
  /** Every layer, InputLayers included: name and Keras class (a graph model's: every node but its constants, with its op). */
  layers: { name: string; className: string }[];
}

/**
 * The preprocessing spec of an image model, inferred from its first input's shape (batch first,
 * channels last): height, width, channels (1 or 3); MNIST conventions (white on black, MNIST centring)
 * for 28×28×1, a plain resize otherwise; pixels in `scale` ([0, 1] unless the model scales raw pixels
 * itself). `overrides` win. Undefined when the input is not an image and the overrides do not make a
 * whole spec.
 */
export function inferPreprocessing(
  inputShape: readonly (number | null)[] | undefined,
  scale: PreprocessingSpec['scale'] | undefined,
  layout: 'NHWC' | 'NCHW',
  overrides: PartialPreprocessingSpec | null | undefined,
): PreprocessingSpec | undefined {
  if (overrides === null) return undefined;
  const [, h, w, c = 1] = inputShape ?? [];
  const image = inputShape !== undefined && (inputShape.length === 3 || inputShape.length === 4) && typeof h === 'number' && typeof w === 'number' && (c === 1 || c === 3);
  if (!image) {
    try {
      return overrides ? checkPreprocessingSpec(overrides, 'convertKeras: preprocessing') : undefined;
    } catch {
      return undefined;
    }
  }
  const mnist = h === 28 && w === 28 && c === 1;
  const inferred: PreprocessingSpec = {
    layout,
    height: h,
    width: w,
    channels: c as 1 | 3,
    scale: scale ?? [0, 1],
    polarity: mnist ? 'light-on-dark' : 'any',
    procedure: mnist ? 'mnist' : 'resize',
  };
  return checkPreprocessingSpec({ ...inferred, ...(overrides ?? {}) }, 'convertKeras: preprocessing');
}

/**
 * [0, 255] when the Keras model scales raw pixels itself: its first layer is Rescaling(1/255) or
 * Rescaling(1/127.5, offset −1), or a Normalization adapted on 0..255 values (a mean above 1.5).
 */
export function kerasInputScale(graph: ModelGraph, weights: WeightSource): PreprocessingSpec['scale'] | undefined {
  const input = graph.inputs[0];
  if (!input) return undefined;
  const first = graph.calls.find((call) => call.inputs.some((r) => r.layer === input.ref.layer));
  const config = first?.layer.config ?? {};
  if (first?.layer.className === 'Rescaling') {
    const scale = config.scale;
    const raw = typeof scale === 'number' && [1, 2].some((k) => Math.abs(scale * 255 - k) < 1e-6);
    return raw ? [0, 255] : undefined;
  }
  if (first?.layer.className === 'Normalization') {
    const mean = config.mean ?? Array.from(weights.layer(first.layer.name)?.[0]?.data ?? []);
    const values = typeof mean === 'number' ? [mean] : Array.isArray(mean) ? mean.flat(4) : [];
    return values.some((v) => typeof v === 'number' && v > 1.5) ? [0, 255] : undefined;
  }
  return undefined;
}

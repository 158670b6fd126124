import { checkPreprocessingSpec, type PartialPreprocessingSpec, type PreprocessingSpec } from '../../classify/spec/preprocessing-spec.js';
import type { KerasModel, ModelGraph } from '../topology/types.js';
import type { EmittedValue } from './emit-graph.js';

/** The model card stored as JSON in metadata_props `onnxkit.card`. */
export interface ConvertedCard {
  name: string;
  source: { format: KerasModel['format']; kerasVersion?: string; backend?: string; modelClass: ModelGraph['kind'] };
  convertedBy: string;
  opset: number;
  inputLayout: 'NHWC' | 'NCHW';
  inputs: EmittedValue[];
  outputs: EmittedValue[];
  /** The output holding the prediction: the last one (earlier ones of multi-output models are often intermediate layers). */
  prediction: string;
  /** Every layer, InputLayers included: name and Keras class. */
  layers: { name: string; className: string }[];
}

/**
 * The preprocessing spec of an image model, inferred from its first input: height, width, channels
 * (1 or 3); MNIST conventions (white on black, MNIST centring) for 28×28×1, a plain resize otherwise;
 * pixels in [0, 1], or [0, 255] when the model rescales by 1/255 itself. `overrides` win. Undefined
 * when the input is not an image and the overrides do not make a whole spec.
 */
export function inferPreprocessing(graph: ModelGraph, layout: 'NHWC' | 'NCHW', overrides: PartialPreprocessingSpec | null | undefined): PreprocessingSpec | undefined {
  if (overrides === null) return undefined;
  const input = graph.inputs[0];
  const [, h, w, c = 1] = input?.shape ?? [];
  const image = input !== undefined && (input.shape.length === 3 || input.shape.length === 4) && typeof h === 'number' && typeof w === 'number' && (c === 1 || c === 3);
  if (!image) {
    try {
      return overrides ? checkPreprocessingSpec(overrides, 'convertKeras: preprocessing') : undefined;
    } catch {
      return undefined;
    }
  }
  const first = graph.calls.find((call) => call.inputs.some((r) => r.layer === input.ref.layer));
  const rescale = first?.layer.className === 'Rescaling' ? first.layer.config.scale : undefined;
  const mnist = h === 28 && w === 28 && c === 1;
  const inferred: PreprocessingSpec = {
    layout,
    height: h,
    width: w,
    channels: c as 1 | 3,
    scale: typeof rescale === 'number' && Math.abs(rescale * 255 - 1) < 1e-6 ? [0, 255] : [0, 1],
    polarity: mnist ? 'light-on-dark' : 'any',
    procedure: mnist ? 'mnist' : 'resize',
  };
  return checkPreprocessingSpec({ ...inferred, ...(overrides ?? {}) }, 'convertKeras: preprocessing');
}

import { ACTIVATION_LAYERS } from './activations.js';
import { CONV_LAYERS } from './conv.js';
import { UPSAMPLING_LAYERS } from './upsampling.js';
import { CORE_LAYERS } from './core-layers.js';
import { MERGE_LAYERS } from './merge.js';
import { NORMALIZATION_LAYERS } from './normalization.js';
import { PADDING_LAYERS } from './padding.js';
import { POOLING_LAYERS } from './pooling.js';
import type { LayerConverter } from './types.js';

/** Every layer converter, keyed by Keras class name (`InputLayer` is handled by the graph walk). */
export const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = Object.freeze({
  ...CORE_LAYERS,
  ...ACTIVATION_LAYERS,
  ...CONV_LAYERS,
  ...UPSAMPLING_LAYERS,
  ...POOLING_LAYERS,
  ...NORMALIZATION_LAYERS,
  ...PADDING_LAYERS,
  ...MERGE_LAYERS,
});

/** Keras layer classes onnxkit converts, sorted (InputLayer included). */
export function supportedLayers(): string[] {
  return ['InputLayer', ...Object.keys(LAYER_CONVERTERS)].sort();
}

export { ACTIVATIONS } from './activations.js';
export type { LayerArgs, LayerConverter } from './types.js';

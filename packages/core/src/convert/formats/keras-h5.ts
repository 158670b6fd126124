import { decodeUtf8 } from '../../onnx/codec/utf8.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../../json-depth.js';
import { ConvertError } from '../errors.js';
import { asRecord } from '../topology/config-values.js';
import type { KerasModel, WeightSource } from '../topology/types.js';
import { openHdf5, type H5Group } from './hdf5.js';
import { isKerasV3Layout, kerasV3Paths, kerasV3Weights, legacyWeights } from './keras-weights.js';

/** Parses a JSON config, with a ConvertError naming where it came from. */
export function parseJsonConfig(text: string | Uint8Array, what: string): Record<string, unknown> {
  // The config walkers recurse; refuse nesting that would overflow the stack before parsing it.
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    throw new ConvertError('invalid-config', `${what}: JSON nested more than ${MAX_JSON_DEPTH} levels deep; no model config nests that deep`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof text === 'string' ? text : decodeUtf8(text));
  } catch (err) {
    throw new ConvertError('corrupt', `${what} is not valid JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const rec = asRecord(parsed);
  if (!rec) throw new ConvertError('invalid-config', `${what} is not a JSON object`);
  return rec;
}

/**
 * A legacy full-model Keras HDF5 file (`model.save('m.h5')`, Keras 2.x or 3): the `model_config`
 * attribute holds the topology, `model_weights` the weights.
 */
export function readKerasH5(bytes: Uint8Array, what: string): KerasModel {
  const root = openHdf5(bytes, what);
  const config = root.stringAttr('model_config');
  if (config === undefined) {
    const weightsOnly = root.has('model_weights') || root.attr('layer_names') !== undefined || isKerasV3Layout(root);
    throw new ConvertError(
      'unsupported-format',
      weightsOnly
        ? `${what} holds only weights (no 'model_config' attribute): give the model's topology JSON as the model and this file as its weights (CLI: --weights)`
        : `${what} is an HDF5 file but not a Keras model (no 'model_config' attribute)`,
    );
  }
  const weightsGroup = root.group('model_weights');
  if (!weightsGroup) throw new ConvertError('missing-weights', `${what} has a model config but no 'model_weights' group (saved without weights?)`);
  return {
    format: 'keras-h5',
    ...versionOf(root),
    config: parseJsonConfig(config, `${what}: model_config`),
    weights: legacyWeights(weightsGroup, what),
  };
}

/**
 * A weights-only HDF5 file (`save_weights`), Keras 2 or Keras 3 layout; a full-model file also works.
 * `modelConfig` is the topology the weights belong to (Keras 3 keys layers by their place in it);
 * `kerasVersion` the version the topology records, if any.
 */
export function readWeightsH5(
  bytes: Uint8Array,
  what: string,
  modelConfig: Record<string, unknown>,
  kerasVersion?: string,
): { weights: WeightSource; kerasVersion?: string; backend?: string } {
  const root = openHdf5(bytes, what);
  if (isKerasV3Layout(root)) return { weights: kerasV3Weights(root, what, kerasV3Paths(root, modelConfig, kerasVersion)) };
  const group = root.group('model_weights') ?? root;
  if (group.attr('layer_names') === undefined) {
    throw new ConvertError('unsupported-format', `${what} is an HDF5 file but holds no Keras weights (no 'layer_names' attribute, no 'layers' group)`);
  }
  return { weights: legacyWeights(group, what), ...versionOf(group) };
}

function versionOf(group: H5Group): { kerasVersion?: string; backend?: string } {
  const out: { kerasVersion?: string; backend?: string } = {};
  const version = group.stringAttr('keras_version');
  const backend = group.stringAttr('backend');
  if (version) out.kerasVersion = version;
  if (backend) out.backend = backend;
  return out;
}

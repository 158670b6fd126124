import { ConvertError } from '../errors.js';
import type { KerasModel } from '../topology/types.js';
import { parseJsonConfig } from './keras-h5.js';
import { openHdf5 } from './hdf5.js';
import { isKerasV3Layout, kerasV3Paths, kerasV3Weights } from './keras-weights.js';
import { readZip } from './zip.js';

/**
 * A Keras 3 `.keras` archive: `config.json`, `model.weights.h5`, `metadata.json` (zip, read with fflate).
 * `weights`, a `.weights.h5` saved separately (`model.save_weights`, a checkpoint), replaces the archive's.
 */
export function readKerasV3(bytes: Uint8Array, what: string, weights?: Uint8Array): KerasModel {
  const files = readZip(bytes, what);
  const need = (name: string) => {
    const f = files.get(name);
    if (!f) {
      const found = [...files.keys()].join(', ') || 'nothing';
      throw new ConvertError(name.endsWith('.h5') ? 'missing-weights' : 'unsupported-format', `${what} has no '${name}' (a .keras archive holds config.json and model.weights.h5; found ${found})`);
    }
    return f;
  };
  const config = parseJsonConfig(need('config.json'), `${what}: config.json`);
  const meta = files.get('metadata.json');
  const metadata = meta ? parseJsonConfig(meta, `${what}: metadata.json`) : {};
  const version = typeof metadata.keras_version === 'string' ? metadata.keras_version : undefined;
  const where = weights ? 'the weights file' : `${what}: model.weights.h5`;
  const root = openHdf5(weights ?? need('model.weights.h5'), where);
  if (weights && !isKerasV3Layout(root)) throw new ConvertError('unsupported-format', `${where} is not a Keras 3 weights file (no 'layers' group); a .keras archive takes a .weights.h5 saved by Keras 3`);
  const model: KerasModel = { format: 'keras-v3', config, weights: kerasV3Weights(root, where, kerasV3Paths(root, config, version)) };
  if (version) model.kerasVersion = version;
  return model;
}

import { ConvertError } from '../errors.js';
import type { WeightSource, WeightValue } from '../topology/types.js';
import { H5Dataset, type H5Group } from './hdf5.js';
import { kerasV3LayerPaths } from './keras3-paths.js';

/**
 * Weights in Keras 2's HDF5 layout (also what Keras 3 writes to a legacy `.h5`): one group per layer,
 * its `weight_names` attribute listing dataset paths relative to the group, in the layer's weight order.
 */
export function legacyWeights(root: H5Group, what: string): WeightSource {
  return {
    layer(name) {
      let group = root.group(name);
      let names = group?.stringsAttr('weight_names') ?? [];
      if (!group) {
        // A layer of a nested model: its weights are listed in the nested model's group as `<layer>/<weight>`.
        for (const outer of root.stringsAttr('layer_names') ?? []) {
          const g = root.group(outer);
          const mine = (g?.stringsAttr('weight_names') ?? []).filter((p) => p.startsWith(`${name}/`));
          if (g && mine.length) [group, names] = [g, mine];
        }
      }
      if (!group) return undefined;
      const found = group;
      return names.map((path) => {
        const ds = found.child(path);
        if (!(ds instanceof H5Dataset)) {
          throw new ConvertError('missing-weights', `${what}: layer '${name}' lists weight '${path}', which the file does not hold`);
        }
        return value(baseName(path), ds);
      });
    },
  };
}

/**
 * Weights in Keras 3's layout (`.keras` archives and `.weights.h5` files): `<path>/vars/0, 1, …` in the
 * layer's weight order. Keras 3 keys a layer by its class and position, not its name (see
 * {@link kerasV3LayerPaths}): `paths` maps names to those keys, as Keras 3 resolves them when it loads.
 * Without `paths` (tf.keras 2.13–2.15 `.keras` files, which did key by name) the name is the key;
 * Keras 3.0 and tf.keras kept Sequential layers under `_layer_checkpoint_dependencies`.
 */
export function kerasV3Weights(root: H5Group, what: string, paths?: ReadonlyMap<string, string>): WeightSource {
  return {
    layer(name) {
      const path = paths?.get(name);
      const vars =
        (path !== undefined ? root.group(`${path}/vars`) : undefined) ??
        (paths ? undefined : root.group(`layers/${name}/vars`) ?? root.group(`_layer_checkpoint_dependencies/${name}/vars`));
      if (!vars) return undefined;
      const keys = vars.keys().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
      return keys.map((k) => {
        const ds = vars.child(k);
        if (!(ds instanceof H5Dataset)) throw new ConvertError('corrupt', `${what}: '${vars.path}/${k}' is not a dataset`);
        return value(k, ds);
      });
    },
  };
}

/**
 * How a Keras 3-layout weights file keys its layers: by class and position (Keras 3), or by name
 * (tf.keras 2.13–2.15's `.keras` saver, and any file under `_layer_checkpoint_dependencies`).
 */
export function kerasV3Paths(root: H5Group, modelConfig: Record<string, unknown>, kerasVersion: string | undefined): ReadonlyMap<string, string> | undefined {
  if (root.has('_layer_checkpoint_dependencies') || (kerasVersion !== undefined && /^2\./.test(kerasVersion))) return undefined;
  return kerasV3LayerPaths(modelConfig);
}

/** True when a weights file uses Keras 3's `layers/<name>/vars` layout. */
export function isKerasV3Layout(root: H5Group): boolean {
  return root.has('layers') || root.has('_layer_checkpoint_dependencies');
}

function value(name: string, ds: H5Dataset): WeightValue {
  return { name, shape: ds.shape, data: ds.readFloat32() };
}

/** `dense_1/kernel:0` → `kernel`. */
function baseName(path: string): string {
  return (path.split('/').pop() ?? path).replace(/:\d+$/, '');
}

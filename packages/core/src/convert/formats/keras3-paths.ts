import { asRecord } from '../topology/config-values.js';

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** `keras.src.utils.naming.to_snake_case`: `Conv2D` → `conv2d`, `BatchNormalization` → `batch_normalization`. */
export function kerasSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * Where Keras 3 stores each layer's variables in a `.keras` / `.weights.h5` file, by layer name. Keras 3
 * does not use the layer's name (auto-generated names vary between sessions): it walks `model.layers` in
 * order and keys each `layers/<snake_case(class)>`, the first of a class unnumbered, then `_1`, `_2`, …
 * (`saving_lib._save_container_state`); a nested model's layers sit under `layers/<its key>/layers/`.
 * `model.layers` is the config's layer list, less a Sequential model's leading InputLayer.
 */
export function kerasV3LayerPaths(modelConfig: Record<string, unknown>): Map<string, string> {
  const paths = new Map<string, string>();
  walk(modelConfig, '', paths);
  return paths;
}

function walk(model: Record<string, unknown>, prefix: string, paths: Map<string, string>): void {
  const config = model.config;
  let layers = Array.isArray(config) ? config : asRecord(config)?.layers;
  if (!Array.isArray(layers)) return;
  if (model.class_name === 'Sequential' && asRecord(layers[0])?.class_name === 'InputLayer') layers = layers.slice(1);
  const used = new Map<string, number>();
  for (const raw of layers as unknown[]) {
    const rec = asRecord(raw);
    if (!rec || typeof rec.class_name !== 'string') continue;
    const className = rec.class_name;
    const base = kerasSnakeCase(className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    const path = `${prefix}layers/${n === undefined ? base : `${base}_${n + 1}`}`;
    const name = asRecord(rec.config)?.name ?? rec.name;
    if (typeof name === 'string' && !paths.has(name)) paths.set(name, path);
    if (MODEL_CLASSES.has(className)) walk(rec, `${path}/`, paths);
  }
}

import { ConvertError } from '../errors.js';
import type { LayerSpec, ModelGraph } from '../topology/types.js';

/** Why a layer class cannot be converted, in words. */
function reason(layer: LayerSpec): string {
  if (layer.className === 'Lambda') {
    const fn = layer.config.function;
    const code = Array.isArray(fn) && typeof fn[0] === 'string' ? 'serialized Python bytecode' : 'Python code';
    return `a Lambda layer holds ${code}, which has no ONNX equivalent (rebuild the model with standard layers)`;
  }
  const registered = layer.registeredName && layer.registeredName !== layer.className ? ` registered as '${layer.registeredName}'` : '';
  const custom = registered || (layer.module !== undefined && !layer.module.startsWith('keras'));
  return custom ? `a custom layer class${registered} whose code is not in the file` : 'a layer class onnxkit does not convert';
}

/**
 * Throws one {@link ConvertError} `'unsupported-layer'` naming every layer the model uses that has no
 * converter (grouped by class: "Lambda layers 'lambda_1', 'lambda_2' and 11 more: …"), so a user
 * learns everything that stands in the way at once.
 */
export function checkSupported(graph: ModelGraph, supported: (className: string) => boolean, supportedList: string[]): void {
  const byClass = new Map<string, LayerSpec[]>();
  for (const call of graph.calls) {
    const l = call.layer;
    if (supported(l.className)) continue;
    const list = byClass.get(l.className) ?? [];
    if (!list.includes(l)) list.push(l);
    byClass.set(l.className, list);
  }
  if (byClass.size === 0) return;
  const parts = [...byClass.entries()].map(([cls, layers]) => {
    const shown = layers.slice(0, 3).map((l) => `'${l.name}'`);
    const more = layers.length > 3 ? ` and ${layers.length - 3} more` : '';
    const names = shown.length > 1 && !more ? `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}` : `${shown.join(', ')}${more}`;
    return `${cls} layer${layers.length > 1 ? 's' : ''} ${names}: ${reason(layers[0])}`;
  });
  throw new ConvertError('unsupported-layer', `cannot convert the model: ${parts.join('; ')}. Supported layers: ${supportedList.join(', ')}`);
}

import { findHead, LABELS_KEY, type Model, type TensorData, type Value } from '@onnxkit/core';

/**
 * Widens a classifier's last dense layer by one class named `label`, keeping every existing class as it
 * is: the new class starts with zero weights and a bias below all others, so it is never predicted
 * until fine-tuning teaches it. Returns a new model; `model` is not changed.
 */
export function addClass(model: Model, label: string, labels: readonly string[]): Model {
  if (typeof label !== 'string' || label.trim().length === 0) throw new TypeError('addClass: label must be a non-empty string');
  if (labels.includes(label)) throw new RangeError(`addClass: there is already a class '${label}'`);
  const head = findHead(model.graph);
  if (head.weight.reshape) throw new RangeError('addClass: heads with a reshaped weight are not supported');
  if (head.classes !== labels.length) throw new RangeError(`addClass: ${labels.length} labels for a ${head.classes}-class head`);
  const classes = head.classes + 1;
  const w = head.weight.initializer;
  const old = w.data as Float32Array;
  const data = new Float32Array(old.length + head.features);
  if (head.transposed) {
    // [classes, features]: the new class is one more row, all zeros.
    data.set(old);
  } else {
    // [features, classes]: one more column per row.
    for (let f = 0; f < head.features; f++) data.set(old.subarray(f * head.classes, (f + 1) * head.classes), f * classes);
  }
  const weight: TensorData = { ...w, dims: head.transposed ? [classes, head.features] : [head.features, classes], data };
  const replaced = new Map<string, TensorData>([[w.name, weight]]);
  if (head.bias) {
    const b = head.bias.data as Float32Array;
    const bias = new Float32Array(classes);
    bias.set(b);
    bias[head.classes] = Math.min(...b) - 1;
    replaced.set(head.bias.name, { ...head.bias, dims: [...head.bias.dims.slice(0, -1), classes], data: bias });
  }
  const chain = new Set(head.chain);
  const widen = (v: Value): Value => {
    if (!chain.has(v.name) || v.type?.kind !== 'tensor' || !v.type.shape?.length) return v;
    const shape = [...v.type.shape];
    shape[shape.length - 1] = classes;
    return { ...v, type: { ...v.type, shape } };
  };
  return {
    ...model,
    graph: {
      ...model.graph,
      initializers: model.graph.initializers.map((t) => replaced.get(t.name) ?? t),
      // Before IR 4 initializers are graph inputs too, with their shapes declared there.
      inputs: model.graph.inputs.map((v) => {
        const t = replaced.get(v.name);
        return t && v.type?.kind === 'tensor' ? { ...v, type: { ...v.type, shape: [...t.dims] } } : v;
      }),
      outputs: model.graph.outputs.map(widen),
      valueInfo: model.graph.valueInfo.map(widen),
    },
    metadata: { ...model.metadata, [LABELS_KEY]: JSON.stringify([...labels, label]) },
  };
}

/** Names of the initializers of the model's dense layers (Gemm, MatMul): what the demo fine-tunes. */
export function denseParameters(model: Model): string[] {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const out: string[] = [];
  for (const node of model.graph.nodes) {
    if (node.domain !== '' || (node.opType !== 'Gemm' && node.opType !== 'MatMul')) continue;
    for (const input of node.inputs.slice(1)) if (inits.has(input) && !out.includes(input)) out.push(input);
  }
  return out;
}

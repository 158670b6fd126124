import { intsAttr, stringAttr } from '../../onnx/attributes.js';
import { freshName, usedNames } from '../../onnx/graph-edit.js';
import type { Dim, Graph, Node } from '../../onnx/ir.js';
import { effectiveKernel, windowGeometry, windowOutputSize } from '../../onnx/window-geometry.js';

import { isDefaultDomain } from '../../onnx/default-domain.js';

/**
 * Crops a convolution's input to the rows and columns that its MaxPool reads. A floor-mode pool whose
 * last window ends before the convolution's last output row or column (an 11×11 map pooled 2×2 by 2
 * reads 10×10) leaves those outputs unused, yet computing them costs their share of the convolution
 * and of both its gradients (their gradient is zero). A `Slice` of the input removes them: the
 * pooled values and every gradient stay the same. Only convolutions without padding whose one
 * consumer is such a MaxPool, on inputs of known spatial size. Edits `graph` in place; returns how
 * many convolutions were cropped.
 */
export function cropConvolutionsToPool(graph: Graph, shapeOf: (name: string) => readonly Dim[] | undefined): number {
  const readers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const v of n.inputs) if (v) readers.set(v, [...(readers.get(v) ?? []), n]);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const taken = usedNames(graph);
  let cropped = 0;
  for (let i = 0; i < graph.nodes.length; i++) {
    const conv = graph.nodes[i];
    if (conv.opType !== 'Conv' || !isDefaultDomain(conv.domain) || graphOutputs.has(conv.outputs[0])) continue;
    const [pool, ...others] = readers.get(conv.outputs[0]) ?? [];
    if (!pool || others.length > 0 || !isPlainMaxPool(pool)) continue;
    const ends = croppedExtent(conv, pool, shapeOf(conv.inputs[0]), shapeOf(conv.inputs[1]));
    if (!ends) continue;
    const name = (base: string) => freshName(graph, `${conv.name || conv.outputs[0]}_${base}`, taken);
    const axes = ends.map((_, k) => k + 2);
    const constant = (base: string, values: number[]) => {
      const n = name(base);
      graph.initializers.push({ name: n, dtype: 'int64', dims: [values.length], data: BigInt64Array.from(values, BigInt) });
      return n;
    };
    const input = name('cropped');
    const slice: Node = {
      opType: 'Slice',
      domain: '',
      name: name('crop'),
      inputs: [conv.inputs[0], constant('crop_starts', ends.map(() => 0)), constant('crop_ends', ends), constant('crop_axes', axes)],
      outputs: [input],
      attributes: {},
    };
    graph.nodes[i] = { ...conv, inputs: [input, ...conv.inputs.slice(1)] };
    graph.nodes.splice(i, 0, slice);
    i++;
    graph.valueInfo = graph.valueInfo.filter((v) => v.name !== conv.outputs[0]);
    cropped++;
  }
  return cropped;
}

/** A MaxPool with one output (no Indices), floor mode and no padding. */
export function isPlainMaxPool(pool: Node): boolean {
  if (pool.opType !== 'MaxPool' || !isDefaultDomain(pool.domain) || pool.outputs.filter(Boolean).length !== 1) return false;
  const kernel = intsAttr(pool, 'kernel_shape', []);
  if (kernel.length === 0) return false;
  const g = windowGeometry(pool, kernel, [], 'pool');
  const autoPad = stringAttr(pool, 'auto_pad', 'NOTSET');
  return !g.ceil && (autoPad === 'NOTSET' || autoPad === 'VALID') && [...g.padsBegin, ...g.padsEnd].every((p) => p === 0);
}

/** The input extent on each spatial axis that the pooled outputs need; undefined when nothing is saved. */
function croppedExtent(
  conv: Node,
  pool: Node,
  inputShape: readonly Dim[] | undefined,
  weightShape: readonly Dim[] | undefined,
): number[] | undefined {
  const spatial = inputShape?.slice(2);
  if (!spatial || spatial.length === 0 || !spatial.every((d): d is number => typeof d === 'number')) return undefined;
  const declared = intsAttr(conv, 'kernel_shape', []);
  const weightKernel = declared.length ? declared : (weightShape?.slice(2) ?? []);
  if (weightKernel.length !== spatial.length || !weightKernel.every((d) => typeof d === 'number')) return undefined;
  const autoPad = stringAttr(conv, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') return undefined;
  const c = windowGeometry(conv, weightKernel as number[], spatial, 'conv');
  if (![...c.padsBegin, ...c.padsEnd].every((p) => p === 0)) return undefined;
  const p = windowGeometry(pool, intsAttr(pool, 'kernel_shape', []), [], 'pool');
  if (p.kernel.length !== spatial.length) return undefined;
  let saves = false;
  const ends = spatial.map((size, k) => {
    const out = windowOutputSize(c, k, size);
    const pooled = out === null ? null : windowOutputSize(p, k, out);
    if (out === null || pooled === null || pooled < 1) return size;
    const read = (pooled - 1) * p.strides[k] + effectiveKernel(p, k);
    if (read >= out) return size;
    saves = true;
    return (read - 1) * c.strides[k] + effectiveKernel(c, k);
  });
  return saves ? ends : undefined;
}

import { encodeModel } from '../../onnx/codec/model-codec.js';
import type { Model, Node } from '../../onnx/ir.js';
import { elementCount } from '../../onnx/tensor.js';
import { gradientName } from '../optimizers/names.js';

/** The replicas' training-model output that holds every gradient: one flat vector in checkpoint order. */
export const FLAT_GRADIENT = 'onnxkit.flat_gradient';

/**
 * The replicas' training model: the training graph with its per-parameter gradient outputs replaced by
 * one flat output (a Reshape to 1-D per gradient and a Concat, as the graph's last nodes). A replica's
 * gradient then leaves ORT as one buffer that crosses threads as it is and feeds the flat optimizer
 * update without a gather; the other outputs (the loss) stay.
 */
export function flatGradientModel(training: Model, parameters: readonly { name: string; dims: readonly number[] }[]): Uint8Array {
  const graph = training.graph;
  const gradients = parameters.map((p) => gradientName(p.name));
  const missing = gradients.filter((g) => !graph.outputs.some((o) => o.name === g));
  if (missing.length > 0) throw new RangeError(`replicas: the training model has no output ${missing.map((m) => `'${m}'`).join(', ')}`);
  const flatShape = `${FLAT_GRADIENT}.shape`;
  // New names all under FLAT_GRADIENT's prefix, which generated graphs never use otherwise.
  const flat = (i: number) => `${FLAT_GRADIENT}.part${i}`;
  const nodes: Node[] = gradients.map((g, i) => ({ opType: 'Reshape', domain: '', name: `${flat(i)}.reshape`, inputs: [g, flatShape], outputs: [flat(i)], attributes: {} }));
  nodes.push({ opType: 'Concat', domain: '', name: `${FLAT_GRADIENT}.concat`, inputs: gradients.map((_, i) => flat(i)), outputs: [FLAT_GRADIENT], attributes: { axis: { type: 'int', value: 0 } } });
  const total = parameters.reduce((n, p) => n + elementCount(p.dims), 0);
  return encodeModel({
    ...training,
    graph: {
      ...graph,
      nodes: [...graph.nodes, ...nodes],
      initializers: [...graph.initializers, { name: flatShape, dtype: 'int64', dims: [1], data: BigInt64Array.of(-1n) }],
      outputs: [
        ...graph.outputs.filter((o) => !gradients.includes(o.name)),
        { name: FLAT_GRADIENT, type: { kind: 'tensor', dtype: 'float32', shape: [total] } },
      ],
    },
  });
}

import { GraphBuilder } from '../../onnx/builder.js';
import type { Graph } from '../../onnx/ir.js';
import { ConvertError } from '../errors.js';
import { LAYER_CONVERTERS, supportedLayers } from '../layers/index.js';
import { ConfigReader } from '../topology/config-values.js';
import type { ModelGraph, TensorRef, WeightSource } from '../topology/types.js';
import { EmitContext, onnxDims } from './context.js';
import type { KTensor } from './tensor.js';
import { checkSupported } from './unsupported.js';

/** Options of {@link emitGraph}. */
export interface EmitOptions {
  layout: 'NHWC' | 'NCHW';
  opset: number;
  /** Which Keras outputs become ONNX outputs. */
  outputs: 'all' | 'last' | readonly string[];
  /** The source is a Keras 3 save (a few activations changed meaning in Keras 3). @defaultValue false */
  keras3?: boolean;
}

/** A model input or output of the converted graph, with its ONNX name and shape. */
export interface EmittedValue {
  name: string;
  shape: (number | string | null)[];
}

/** The converted graph, before metadata is attached. */
export interface EmittedGraph {
  builder: GraphBuilder;
  inputs: EmittedValue[];
  outputs: EmittedValue[];
}

const key = (r: TensorRef) => `${r.layer}\u0000${r.node}\u0000${r.index}`;

/** Walks the layer calls in order, emitting each layer's ONNX nodes; names inputs and outputs after Keras. */
export function emitGraph(graph: ModelGraph, weights: WeightSource, options: EmitOptions): EmittedGraph {
  checkSupported(graph, (c) => c in LAYER_CONVERTERS, supportedLayers());
  const builder = new GraphBuilder({ opset: options.opset, name: graph.name });
  const ctx = new EmitContext(builder, weights, options.keras3 ?? false);
  const tensors = new Map<string, KTensor>();
  const inputs = graph.inputs.map((input): EmittedValue => {
    const { tensor, value } = emitInput(ctx, input.name, input.shape, options.layout);
    tensors.set(key(input.ref), tensor);
    return value;
  });

  for (const call of graph.calls) {
    const where = `layer '${call.layer.name}' (${call.layer.className})`;
    const ins = call.inputs.map((r) => {
      const t = tensors.get(key(r));
      if (!t) throw new ConvertError('invalid-config', `${where} reads output ${r.index} of '${r.layer}' call ${r.node}, which does not exist`);
      return t;
    });
    const out = LAYER_CONVERTERS[call.layer.className](ins, { layer: call.layer, cfg: new ConfigReader(call.layer.config, where), ctx, where });
    tensors.set(key({ layer: call.layer.name, node: call.node, index: 0 }), out);
  }

  const renamed = new Map<string, string>();
  const outputs = selectOutputs(graph.outputs, options.outputs).map((ref): EmittedValue => {
    const t = tensors.get(key(ref));
    if (!t) throw new ConvertError('invalid-config', `the model output '${ref.layer}' is never computed`);
    return emitOutput(ctx, t, outputName(ref), renamed);
  });
  return { builder, inputs, outputs };
}

/**
 * A model input of Keras shape `shape`: held as Keras holds it (NHWC), or exposed channels-first for
 * `layout: 'NCHW'` (a [N, H, W] input as [N, 1, H, W], reshaped back for the model).
 */
export function emitInput(ctx: EmitContext, name: string, shape: (number | null)[], layout: 'NHWC' | 'NCHW'): { tensor: KTensor; value: EmittedValue } {
  const builder = ctx.builder;
  const rank = shape.length;
  if (layout !== 'NCHW' || (rank !== 3 && rank !== 4)) {
    const dims = onnxDims(shape);
    return { tensor: { name: builder.input(name, 'float32', dims), shape, layout: 'keras' }, value: { name, shape: dims } };
  }
  if (rank === 4) {
    const [n, h, w, c] = shape;
    const dims = onnxDims([n, c, h, w]);
    return { tensor: { name: builder.input(name, 'float32', dims), shape, layout: 'nchw' }, value: { name, shape: dims } };
  }
  const [n, h, w] = shape;
  const dims = onnxDims([n, 1, h, w]);
  const x = builder.input(name, 'float32', dims);
  const squeezed = h !== null && w !== null ? builder.op('Reshape', [x, ctx.ints('shape', [-1, h, w])]) : builder.op('Squeeze', [x, ctx.ints('axes', [1])]);
  return { tensor: { name: squeezed, shape, layout: 'keras' }, value: { name, shape: dims } };
}

/** Makes `t` the graph output `wanted` (Keras order, float32) and returns its name and shape; `renamed` tracks values already named. */
export function emitOutput(ctx: EmitContext, t: KTensor, wanted: string, renamed: Map<string, string>): EmittedValue {
  const value = ctx.keras(t);
  const name = nameValue(ctx.builder, renamed.get(value) ?? value, wanted);
  renamed.set(value, name);
  const dims = onnxDims(t.shape);
  ctx.builder.output(name, 'float32', dims);
  return { name, shape: dims };
}

function outputName(ref: TensorRef): string {
  return [ref.layer, ...(ref.node || ref.index ? [String(ref.node)] : []), ...(ref.index ? [String(ref.index)] : [])].join('_');
}

function selectOutputs(outputs: TensorRef[], which: EmitOptions['outputs']): TensorRef[] {
  return selectByName(outputs, outputName, which);
}

/** The model outputs `which` picks: all, the last, or the named ones (a RangeError for an unknown name). */
export function selectByName<T>(outputs: readonly T[], nameOf: (o: T) => string, which: EmitOptions['outputs']): T[] {
  if (which === 'all') return [...outputs];
  if (which === 'last') return outputs.slice(-1);
  return which.map((name) => {
    const ref = outputs.find((o) => nameOf(o) === name);
    if (!ref) throw new RangeError(`convertKeras: 'outputs' names '${name}', which is not a model output (outputs: ${outputs.map(nameOf).join(', ')})`);
    return ref;
  });
}

/**
 * Gives `value` the output name `wanted` by renaming it where it is produced and read, so the op that
 * makes an output (a Softmax, say) produces it directly — the training generator looks for that. A
 * graph input, or a value already named for another output, gets an Identity instead.
 */
function nameValue(builder: GraphBuilder, value: string, wanted: string): string {
  const graph: Graph = builder.graph;
  const produced = graph.nodes.some((n) => n.outputs.includes(value));
  if (!produced || graph.outputs.some((o) => o.name === value)) value = builder.op('Identity', [value]);
  const name = builder.uniqueName(wanted);
  for (const n of graph.nodes) {
    n.outputs = n.outputs.map((o) => (o === value ? name : o));
    n.inputs = n.inputs.map((i) => (i === value ? name : i));
  }
  return name;
}

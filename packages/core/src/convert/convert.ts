import type { Model } from '../onnx/ir.js';
import { validateModel } from '../onnx/validate.js';
import { emitGraph, type EmitOptions, type EmittedGraph, type EmittedValue } from './emit/emit-graph.js';
import { inferPreprocessing, kerasInputScale, type ConvertedCard } from './emit/metadata.js';
import { emitGraphModel } from './graph/emit-graph-model.js';
import { graphModelParts } from './graph/read-graph-model.js';
import { readKerasSource, type ConvertInput } from './formats/read-source.js';
import { setLabels, setPreprocessingSpec } from '../classify/metadata/model-metadata.js';
import { CARD_KEY, LABELS_KEY, PREPROCESSING_KEY, type PreprocessingSpec } from '../classify/metadata/preprocessing-spec.js';
import { checkConvertOptions, type ConvertOptions } from './options.js';
import { parseModelGraph } from './topology/parse-graph.js';
import type { KerasModel, SourceFormat } from './topology/types.js';

/** What {@link convertKeras} returns. */
export interface ConvertResult {
  /** The ONNX model (encode it with `encodeModel`). */
  model: Model;
  /** The source format, detected from the content. */
  format: SourceFormat;
  /** The Keras version the source records, if any. */
  kerasVersion?: string;
  /** ONNX inputs and outputs with their shapes. */
  inputs: EmittedValue[];
  outputs: EmittedValue[];
  /** The preprocessing spec stored in the model, if the input is an image. */
  preprocessing?: PreprocessingSpec;
  /** The model card stored in the model. */
  card: ConvertedCard;
}

/** metadata_props keys the converter writes. */
export const CONVERT_METADATA = { preprocessing: PREPROCESSING_KEY, card: CARD_KEY, labels: LABELS_KEY } as const;

/**
 * Converts a Keras model (`.keras`, legacy `.h5`, topology JSON + weights `.h5`), a TF.js Layers model
 * or a TF.js graph model (`model.json` + shards) to ONNX, in any JS runtime. The format is detected from
 * the bytes.
 *
 * ```ts
 * const { model } = await convertKeras({ model: bytes });
 * const session = await createSession(encodeModel(model));
 * ```
 *
 * Throws a {@link ConvertError} for corrupt or hostile files, weights that disagree with the topology,
 * and layers without a converter (Lambda and custom layers are named in the message; a graph model's
 * unsupported TensorFlow ops are all listed with their counts).
 */
export async function convertKeras(input: ConvertInput, options: ConvertOptions = {}): Promise<ConvertResult> {
  checkConvertOptions(options);
  return convertKerasModel(await readKerasSource(input), options);
}

/** Converts a Keras model already read (see {@link readKerasSource}). */
export function convertKerasModel(source: KerasModel, options: ConvertOptions = {}): ConvertResult {
  checkConvertOptions(options);
  const layout = options.layout ?? 'NHWC';
  const opset = options.opset ?? 17;
  const emitOptions: EmitOptions = { layout, opset, outputs: options.outputs ?? 'all' };
  const described = source.format === 'tfjs-graph' ? describeGraphModel(source, emitOptions) : describeKerasModel(source, emitOptions);
  const { emitted } = described;
  const preprocessing = inferPreprocessing(described.inputShape, described.inputScale, layout, options.preprocessing);
  const card: ConvertedCard = {
    name: options.name ?? described.name,
    source: {
      format: source.format,
      ...(source.kerasVersion ? { kerasVersion: source.kerasVersion } : {}),
      ...(source.backend ? { backend: source.backend } : {}),
      modelClass: described.kind,
    },
    convertedBy: 'onnxkit convertKeras',
    opset,
    inputLayout: layout,
    inputs: emitted.inputs,
    outputs: emitted.outputs,
    prediction: emitted.outputs[emitted.outputs.length - 1].name,
    layers: described.layers,
  };
  const model = emitted.builder.build({
    irVersion: opset <= 18 ? 8 : opset <= 20 ? 9 : 10,
    metadata: { [CONVERT_METADATA.card]: JSON.stringify(card) },
    docString: `Converted by onnxkit from ${source.format}${source.kerasVersion ? ` (Keras ${source.kerasVersion})` : ''}.`,
  });
  if (preprocessing) setPreprocessingSpec(model, preprocessing);
  if (options.labels) setLabels(model, options.labels);
  validateModel(model);
  const result: ConvertResult = { model, format: source.format, inputs: emitted.inputs, outputs: emitted.outputs, card };
  if (source.kerasVersion) result.kerasVersion = source.kerasVersion;
  if (preprocessing) result.preprocessing = preprocessing;
  return result;
}

/** What the card and the preprocessing spec need from a converted model, whatever its format. */
interface Described {
  emitted: EmittedGraph;
  name: string;
  kind: ConvertedCard['source']['modelClass'];
  layers: ConvertedCard['layers'];
  inputShape?: (number | null)[];
  inputScale?: PreprocessingSpec['scale'];
}

function describeKerasModel(source: KerasModel, options: EmitOptions): Described {
  const graph = parseModelGraph(source.config);
  // Keras 3 saves record `keras_version` 3.x, or (topology JSON) tag every object with its `module`.
  const keras3 = source.kerasVersion !== undefined ? /^3\./.test(source.kerasVersion) : typeof source.config.module === 'string';
  const described: Described = {
    emitted: emitGraph(graph, source.weights, { ...options, keras3 }),
    name: graph.name,
    kind: graph.kind,
    layers: graph.layers.map((l) => ({ name: l.name, className: l.className })),
  };
  if (graph.inputs[0]) described.inputShape = graph.inputs[0].shape;
  const scale = kerasInputScale(graph, source.weights);
  if (scale) described.inputScale = scale;
  return described;
}

function describeGraphModel(source: KerasModel, options: EmitOptions): Described {
  const { nodes, signature, name } = graphModelParts(source);
  const emitted = emitGraphModel(nodes, signature, source.weights, name, options);
  const described: Described = {
    emitted,
    name,
    kind: 'GraphModel',
    layers: [...nodes.values()].filter((n) => n.op !== 'Const').map((n) => ({ name: n.name, className: n.op })),
  };
  if (emitted.inputs[0]) described.inputShape = nhwcShape(emitted.inputs[0].shape, options.layout);
  return described;
}

/** The NHWC shape of an emitted input (NCHW inputs are exposed [N, C, H, W]). */
function nhwcShape(dims: EmittedValue['shape'], layout: 'NHWC' | 'NCHW'): (number | null)[] {
  const shape = dims.map((d) => (typeof d === 'number' ? d : null));
  return layout === 'NCHW' && shape.length === 4 ? [shape[0], shape[2], shape[3], shape[1]] : shape;
}

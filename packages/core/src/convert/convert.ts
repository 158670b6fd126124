import type { Model } from '../onnx/ir.js';
import { validateModel } from '../onnx/validate.js';
import { emitGraph, type EmittedValue } from './emit/emit-graph.js';
import { inferPreprocessing, type ConvertedCard } from './emit/metadata.js';
import { readKerasSource, type ConvertInput } from './formats/read-source.js';
import { setLabels, setPreprocessingSpec } from '../classify/spec/model-metadata.js';
import { CARD_KEY, LABELS_KEY, PREPROCESSING_KEY, type PreprocessingSpec } from '../classify/spec/preprocessing-spec.js';
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
 * Converts a Keras model (`.keras`, legacy `.h5`, topology JSON + weights `.h5`) or a TF.js Layers
 * model (`model.json` + shards) to ONNX, in any JS runtime. The format is detected from the bytes.
 *
 * ```ts
 * const { model } = await convertKeras({ model: bytes });
 * const session = await createSession(encodeModel(model));
 * ```
 *
 * Throws a {@link ConvertError} for corrupt or hostile files, weights that disagree with the topology,
 * and layers without a converter (Lambda and custom layers are named in the message).
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
  const graph = parseModelGraph(source.config);
  const emitted = emitGraph(graph, source.weights, { layout, opset, outputs: options.outputs ?? 'all' });
  const preprocessing = inferPreprocessing(graph, layout, options.preprocessing);
  const card: ConvertedCard = {
    name: options.name ?? graph.name,
    source: {
      format: source.format,
      ...(source.kerasVersion ? { kerasVersion: source.kerasVersion } : {}),
      ...(source.backend ? { backend: source.backend } : {}),
      modelClass: graph.kind,
    },
    convertedBy: 'onnxkit convertKeras',
    opset,
    inputLayout: layout,
    inputs: emitted.inputs,
    outputs: emitted.outputs,
    prediction: emitted.outputs[emitted.outputs.length - 1].name,
    layers: graph.layers.map((l) => ({ name: l.name, className: l.className })),
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

import { ConvertError } from '../errors.js';
import type { KerasModel, SourceFormat } from '../topology/types.js';
import { isHdf5 } from './hdf5.js';
import { parseJsonConfig, readKerasH5, readWeightsH5 } from './keras-h5.js';
import { readKerasV3 } from './keras-v3.js';
import { isTfjsModel, readTfjs, type ReadFile } from './tfjs.js';
import { isZip } from './zip.js';

/** The files of a Keras or TF.js model, as bytes (the platform packages read them from disk or fetch them). */
export interface ConvertInput {
  /** The model file: a `.keras` archive, a full-model `.h5`, a Keras topology JSON or a TF.js `model.json`. */
  model: Uint8Array | ArrayBuffer;
  /** The weights-only `.h5` of a Keras topology JSON, or a Keras 3 `.weights.h5` replacing a `.keras` archive's own weights. */
  weights?: Uint8Array | ArrayBuffer;
  /** Reads a TF.js weight shard by its manifest path (relative to `model.json`; checked not to escape it). */
  readFile?: ReadFile;
  /** A name for the model file in error messages. @defaultValue 'the model file' */
  fileName?: string;
}

/** What the content of a model file says it is. */
export function detectFormat(bytes: Uint8Array): 'zip' | 'hdf5' | 'json' | 'onnx-like' | 'unknown' {
  if (isZip(bytes)) return 'zip';
  if (isHdf5(bytes)) return 'hdf5';
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09 || bytes[i] === 0xef || bytes[i] === 0xbb || bytes[i] === 0xbf)) i++;
  if (bytes[i] === 0x7b) return 'json';
  // An ONNX ModelProto starts with field 1 (ir_version) as a varint: tag byte 0x08.
  if (bytes[0] === 0x08 && bytes.length > 2 && bytes[1] < 0x20) return 'onnx-like';
  return 'unknown';
}

/** Reads a model's topology and weights, the format detected from the content, not the file name. */
export async function readKerasSource(input: ConvertInput): Promise<KerasModel> {
  if (typeof input !== 'object' || input === null) throw new TypeError('convertKeras: input must be { model, weights?, readFile? }');
  const what = input.fileName ?? 'the model file';
  const model = bytesOf(input.model, 'model');
  const weights = input.weights === undefined ? undefined : bytesOf(input.weights, 'weights');
  const kind = detectFormat(model);
  const noWeights = (format: SourceFormat) => {
    if (weights) throw new RangeError(`convertKeras: 'weights' is only for a Keras topology JSON or a .keras archive; ${what} is ${describe(format)}, which holds its own weights`);
  };
  if (kind === 'zip') return readKerasV3(model, what, weights);
  if (kind === 'hdf5') {
    noWeights('keras-h5');
    return readKerasH5(model, what);
  }
  if (kind === 'json') {
    const json = parseJsonConfig(model, what);
    if (isTfjsModel(json)) {
      noWeights('tfjs-layers');
      return readTfjs(json, input.readFile, what);
    }
    if (typeof json.class_name !== 'string') throw new ConvertError('unsupported-format', `${what} is JSON but neither a Keras model config nor a TF.js model.json`);
    if (!weights) {
      throw new ConvertError('missing-weights', `${what} is a Keras topology JSON, which holds no weights: pass the weights .h5 as 'weights' (CLI: --weights <file.h5>)`);
    }
    const w = readWeightsH5(weights, 'the weights file', json, typeof json.keras_version === 'string' ? json.keras_version : undefined);
    const out: KerasModel = { format: 'keras-json', config: json, weights: w.weights };
    const version = typeof json.keras_version === 'string' ? json.keras_version : w.kerasVersion;
    const backend = typeof json.backend === 'string' ? json.backend : w.backend;
    if (version) out.kerasVersion = version;
    if (backend) out.backend = backend;
    return out;
  }
  if (kind === 'onnx-like') throw new ConvertError('unsupported-format', `${what} looks like an ONNX model already (a protobuf), not a Keras or TF.js model`);
  throw new ConvertError('unsupported-format', `${what} is not a Keras model (.keras zip, .h5) or a model JSON: its first bytes match no known format`);
}

function describe(format: SourceFormat): string {
  return { 'keras-v3': 'a .keras archive', 'keras-h5': 'a full-model HDF5 file', 'keras-json': 'a topology JSON', 'tfjs-layers': 'a TF.js model.json', 'tfjs-graph': 'a TF.js graph model.json' }[format];
}

function bytesOf(v: unknown, name: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new TypeError(`convertKeras: '${name}' must be a Uint8Array or an ArrayBuffer`);
}

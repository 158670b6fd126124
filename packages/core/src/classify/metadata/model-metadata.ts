import $protobuf from 'protobufjs/minimal.js';
import type { Model } from '../../onnx/ir.js';
import {
  CARD_KEY,
  checkPreprocessingSpec,
  LABELS_KEY,
  parsePreprocessingSpec,
  PREPROCESSING_KEY,
  stringifyPreprocessingSpec,
  type PreprocessingSpec,
} from './preprocessing-spec.js';

/** ModelProto field numbers read by {@link readMetadataProps}. */
const METADATA_PROPS_FIELD = 14;

/**
 * Reads only the `metadata_props` of ONNX model bytes, skipping the graph and its weights undecoded (much
 * cheaper than `decodeModel` for a large model). Throws a TypeError when the bytes are not a protobuf.
 */
export function readMetadataProps(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const reader = $protobuf.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 !== METADATA_PROPS_FIELD || (tag & 7) !== 2) {
        reader.skipType(tag & 7);
        continue;
      }
      const end = reader.uint32() + reader.pos;
      let key = '';
      let value = '';
      while (reader.pos < end) {
        const t = reader.uint32();
        if (t >>> 3 === 1 && (t & 7) === 2) key = reader.string();
        else if (t >>> 3 === 2 && (t & 7) === 2) value = reader.string();
        else reader.skipType(t & 7);
      }
      out[key] = value;
    }
  } catch (e) {
    throw new TypeError(`readMetadataProps: the bytes are not an ONNX model (${(e as Error).message})`);
  }
  return out;
}

/** The model's preprocessing spec from its metadata, or undefined when it has none. Invalid JSON throws. */
export function getPreprocessingSpec(model: Model | Record<string, string>): PreprocessingSpec | undefined {
  const props = metadataOf(model);
  const text = props[PREPROCESSING_KEY];
  return text === undefined ? undefined : parsePreprocessingSpec(text);
}

/**
 * Stores `spec` in the model's metadata (replacing any), so the model carries its own contract: save the
 * model afterwards with `encodeModel`. Returns the model.
 */
export function setPreprocessingSpec(model: Model, spec: PreprocessingSpec): Model {
  const checked = checkPreprocessingSpec(spec, 'setPreprocessingSpec');
  metadataOf(model, 'setPreprocessingSpec')[PREPROCESSING_KEY] = stringifyPreprocessingSpec(checked);
  return model;
}

/**
 * Class labels from the model's metadata: `onnxkit.labels` (JSON string array), else the `labels` of the
 * model card (`onnxkit.card`); undefined when neither has them.
 */
export function getLabels(model: Model | Record<string, string>): string[] | undefined {
  const props = metadataOf(model);
  const direct = props[LABELS_KEY];
  if (direct !== undefined) return parseLabels(direct, `metadata '${LABELS_KEY}'`);
  const card = props[CARD_KEY];
  if (card === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(card);
  } catch {
    return undefined; // A card is documentation; a broken one must not stop classification.
  }
  const labels = parsed !== null && typeof parsed === 'object' ? (parsed as { labels?: unknown }).labels : undefined;
  return Array.isArray(labels) ? checkLabels(labels, `metadata '${CARD_KEY}'.labels`) : undefined;
}

/** Stores class labels (index = class) in the model's metadata. Returns the model. */
export function setLabels(model: Model, labels: readonly string[]): Model {
  metadataOf(model, 'setLabels')[LABELS_KEY] = JSON.stringify(checkLabels(labels, 'setLabels: labels'));
  return model;
}

function parseLabels(text: string, where: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${where}: not valid JSON (${(e as Error).message})`);
  }
  return checkLabels(v, where);
}

/** Checks labels are a non-empty array of strings; returns a copy. */
export function checkLabels(labels: unknown, where: string): string[] {
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) {
    throw new TypeError(`${where}: must be an array of strings`);
  }
  if (labels.length === 0) throw new RangeError(`${where}: must not be empty`);
  return [...labels];
}

function metadataOf(model: Model | Record<string, string>, where?: string): Record<string, string> {
  if (model === null || typeof model !== 'object') throw new TypeError(`${where ?? 'metadata'}: model must be a Model`);
  if ('graph' in model && 'metadata' in model && typeof model.metadata === 'object') return (model as Model).metadata;
  if (where) throw new TypeError(`${where}: model must be a decoded Model (decodeModel / loadModelFile)`);
  return model as Record<string, string>;
}

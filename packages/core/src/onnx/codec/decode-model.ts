import type { Model } from '../ir.js';
import { validateModel } from '../validate.js';
import { decodeModelProto } from './model-codec.js';

/** Options of {@link decodeModel}. */
export interface DecodeOptions {
  /**
   * Check the graph after decoding (IR version, opset imports, dangling inputs, duplicate names).
   * @defaultValue true
   */
  validate?: boolean;
}

/**
 * Decodes ONNX protobuf bytes into the typed IR. Throws a {@link ModelFormatError} for bytes that are
 * empty, not a protobuf, truncated, or (unless `validate: false`) an invalid graph; a TypeError when
 * `bytes` is not binary data.
 *
 * @example
 * ```ts
 * import { decodeModel, encodeModel } from '@onnxkit/core';
 * const model = decodeModel(bytes); // throws ModelFormatError with a `code` for bytes that are not a model
 * console.log(model.graph.nodes.length, model.opsetImports);
 * const again = encodeModel(model);
 * ```
 */
export function decodeModel(bytes: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): Model {
  let view: Uint8Array;
  if (bytes instanceof Uint8Array) view = bytes;
  else if (bytes instanceof ArrayBuffer) view = new Uint8Array(bytes);
  else throw new TypeError(`decodeModel: 'bytes' must be a Uint8Array or ArrayBuffer, got ${describe(bytes)}`);
  const model = decodeModelProto(view);
  if (options.validate ?? true) validateModel(model);
  return model;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

import { ModelFormatError } from '../../errors.js';

/**
 * Decodes ModelProto bytes with a generated decoder (the full one or the outline), with the errors
 * `decodeModel` and `createSession` share: empty bytes, bytes that are no protobuf or end mid-field, a
 * protobuf without a graph. Throws {@link ModelFormatError}.
 */
export function parseModelBytes<P extends { graph?: unknown }>(
  decode: (bytes: Uint8Array) => P,
  bytes: Uint8Array,
): P & { graph: NonNullable<P['graph']> } {
  if (bytes.byteLength === 0) throw new ModelFormatError('empty', 'not an ONNX model: the file is empty');
  let p: P;
  try {
    p = decode(bytes);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/index out of range/.test(message)) {
      throw new ModelFormatError(
        'truncated',
        `the model file is truncated: it ends in the middle of a protobuf field (${bytes.byteLength} bytes read)`,
        { cause: err },
      );
    }
    throw new ModelFormatError('not-protobuf', `not an ONNX model: the bytes are not a valid protobuf (${message})`, {
      cause: err,
    });
  }
  if (!p.graph) throw new ModelFormatError('not-protobuf', 'not an ONNX model: the protobuf has no graph');
  return p as P & { graph: NonNullable<P['graph']> };
}

/**
 * Runs `read` (turning a parsed graph into objects); a failure that is not already a
 * {@link ModelFormatError} (a field missing where the format requires it) becomes one, code `'invalid'`.
 */
export function readingGraph<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ModelFormatError) throw err;
    throw new ModelFormatError('invalid', `the model's graph cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

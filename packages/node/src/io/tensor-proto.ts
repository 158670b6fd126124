import { decodeModel, encodeModel, ModelFormatError, type Model, type TensorData } from '@onnxkit/core';

// Field numbers from the ONNX IR specification: ModelProto.graph = 7, GraphProto.initializer = 5.
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const LENGTH_DELIMITED = 2;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function wrap(field: number, body: Uint8Array): Uint8Array {
  const head = [...varint((field << 3) | LENGTH_DELIMITED), ...varint(body.byteLength)];
  const out = new Uint8Array(head.length + body.byteLength);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** The body of the first length-delimited `field` in a protobuf message, or undefined. */
function findField(bytes: Uint8Array, field: number): Uint8Array | undefined {
  let pos = 0;
  const readVarint = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (pos >= bytes.byteLength) throw new RangeError('truncated protobuf');
      const b = bytes[pos++];
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  };
  while (pos < bytes.byteLength) {
    const tag = readVarint();
    const wire = tag % 8;
    if (wire === 0) readVarint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === LENGTH_DELIMITED) {
      const len = readVarint();
      if (Math.floor(tag / 8) === field) return bytes.subarray(pos, pos + len);
      pos += len;
    } else throw new RangeError(`unexpected protobuf wire type ${wire}`);
  }
  return undefined;
}

/**
 * Decodes a serialized ONNX TensorProto (the `input_0.pb` files of the ONNX conformance tests). The bytes
 * are decoded as the one initializer of an otherwise empty model, so the public model decoder does the work
 * and the tensor gets exactly the model path's treatment. A ModelFormatError names `file` when the bytes
 * are not a TensorProto.
 */
export function decodeTensorProto(bytes: Uint8Array, file = 'tensor.pb'): TensorData {
  if (bytes.byteLength === 0) throw new ModelFormatError('empty', `${file}: not a TensorProto: the file is empty`);
  let model: Model;
  try {
    model = decodeModel(wrap(MODEL_GRAPH, wrap(GRAPH_INITIALIZER, bytes)), { validate: false });
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^not an ONNX model: /, '') : String(err);
    const code = err instanceof ModelFormatError ? err.code : 'invalid';
    throw new ModelFormatError(code, `${file}: not a TensorProto: ${why}`, { cause: err });
  }
  const tensor = model.graph.initializers[0];
  if (tensor.external) {
    throw new ModelFormatError('external-data', `${file}: the TensorProto keeps its data in '${tensor.external.location}'; only inline data is read`);
  }
  return tensor;
}

/** Serialises a tensor as an ONNX TensorProto (numeric data as little-endian raw_data). */
export function encodeTensorProto(tensor: TensorData): Uint8Array {
  const model: Model = {
    irVersion: 0,
    opsetImports: [],
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: {},
    functions: [],
    trainingInfo: [],
    graph: { name: '', nodes: [], inputs: [], outputs: [], initializers: [tensor], sparseInitializers: [], valueInfo: [] },
  };
  const graph = findField(encodeModel(model), MODEL_GRAPH);
  const body = graph && findField(graph, GRAPH_INITIALIZER);
  if (!body) throw new Error('encodeTensorProto: the encoder wrote no tensor');
  return body.slice();
}

import { encodeModel, GraphBuilder, type DataType } from '@onnxkit/core';

const cache = new Map<DataType, Uint8Array>();

/**
 * A one-node `Identity` model of any shape for `dtype`: started on a device, it copies a tensor that lives
 * there into a CPU output (and a session start alone tells which adapter the device gets).
 */
export function identityModel(dtype: DataType): Uint8Array {
  let bytes = cache.get(dtype);
  if (!bytes) {
    const b = new GraphBuilder({ opset: 17 });
    const y = b.op('Identity', [b.input('x', dtype)]);
    b.output(y, dtype);
    bytes = encodeModel(b.build());
    cache.set(dtype, bytes);
  }
  return bytes;
}

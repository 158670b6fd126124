import { DataFormatError, storageOf, type DataFormatErrorCode, type DataType, type TensorData, type TensorValues } from '@onnxkit/core';

/** numpy `descr` type codes (without byte-order mark) ↔ onnxkit dtypes. */
const NPY_TYPES: Readonly<Record<string, DataType>> = Object.freeze({
  f4: 'float32',
  f8: 'float64',
  f2: 'float16',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  b1: 'bool',
});

const DESCR_OF: ReadonlyMap<DataType, string> = new Map(
  Object.entries(NPY_TYPES).map(([code, dtype]) => [dtype, (code.endsWith('1') ? '|' : '<') + code]),
);

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Element types {@link decodeNpy} and {@link encodeNpy} handle. */
export const NPY_DTYPES: readonly DataType[] = Object.freeze([...DESCR_OF.keys()]);

/**
 * Parses a `.npy` file (format versions 1–3): a C-order, little-endian array of float16/32/64,
 * (u)int8/16/32/64 or bool. Fortran order, big-endian data and structured dtypes are refused with a
 * DataFormatError saying how to re-save the array. `name` labels errors and the returned tensor.
 */
export function decodeNpy(bytes: Uint8Array, name = 'array.npy'): TensorData {
  const fail = (why: string, code: DataFormatErrorCode = 'invalid'): never => {
    throw new DataFormatError(code, `${name}: ${why}`);
  };
  if (bytes.byteLength < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a .npy file (no \\x93NUMPY header)', 'wrong-format');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.byteLength < 8 + lenBytes) fail('truncated .npy header', 'truncated');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLength;
  if (dataStart > bytes.byteLength) fail('truncated .npy header', 'truncated');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataStart));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  if (descr === undefined) fail(`unsupported dtype in header ${header.trim()} (structured arrays are not tensors)`);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran === undefined) fail(`header has no fortran_order: ${header.trim()}`);
  if (fortran === 'True') fail('the array is in Fortran order; save it in C order (numpy.ascontiguousarray(a))');
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) fail(`header has no shape: ${header.trim()}`);
  const dims = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+L?$/.test(s) ? parseInt(s, 10) : fail(`bad dimension '${s}' in shape (${shapeText})`)));

  const order = descr![0];
  const code = descr!.slice(1);
  const dtype = NPY_TYPES[code];
  if (!'<>|='.includes(order) || dtype === undefined) {
    fail(`unsupported dtype '${descr}'; supported: ${[...DESCR_OF.values()].join(', ')}`);
  }
  if (order === '>' && !code.endsWith('1')) {
    fail(`the array is big-endian ('${descr}'); save it little-endian (a.astype('<${code}'))`);
  }
  const ctor = storageOf(dtype)!;
  const elements = dims.reduce((a, b) => a * b, 1);
  const needed = elements * ctor.BYTES_PER_ELEMENT;
  const available = bytes.byteLength - dataStart;
  if (available !== needed) {
    fail(`shape (${dims.join(', ')}) of ${descr} needs ${needed} data bytes, the file has ${available}`, 'truncated');
  }
  // Copy so the typed array is aligned whatever the header length (not `slice`: on a Node Buffer it is a view).
  const copy = new Uint8Array(bytes.subarray(dataStart, dataStart + needed));
  return { name, dtype, dims, data: new ctor(copy.buffer, 0, elements) };
}

/** Serialises a tensor as a `.npy` file (format 1.0, C order, little-endian). RangeError for other dtypes. */
export function encodeNpy(tensor: { readonly dtype: DataType; readonly dims: readonly number[]; readonly data: TensorValues }): Uint8Array {
  const descr = DESCR_OF.get(tensor.dtype);
  if (!descr || Array.isArray(tensor.data)) {
    throw new RangeError(`encodeNpy: ${tensor.dtype} cannot be written as .npy; supported: ${NPY_DTYPES.join(', ')}`);
  }
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // numpy pads the header with spaces so the data starts on a 64-byte boundary, then ends it with '\n'.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const data = tensor.data as Exclude<TensorValues, string[]>;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '@onnxkit/core';
import { decodeJsonTensor, encodeJsonTensor } from '../../src/io/json-tensor.js';
import { decodeNpy, encodeNpy } from '../../src/io/npy.js';
import { decodeTensorProto, encodeTensorProto } from '../../src/io/tensor-proto.js';
import { readTensorFile, writeTensorFile } from '../../src/io/tensor-file.js';
import { writeFileAtomic } from '../../src/io/atomic-write.js';

const repoRoot = path.resolve(__dirname, '../../../..');
const relu = path.resolve(repoRoot, '../shared/fixtures/onnx-node-tests/test_relu/test_data_set_0');

/** A hand-made .npy: magic, version, header padded to 64 bytes, then `data`. */
function npyBytes(header: string, data: Uint8Array, major = 1): Uint8Array {
  const lenBytes = major === 1 ? 2 : 4;
  const pad = (64 - ((8 + lenBytes + header.length + 1) % 64)) % 64;
  const h = header + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(8 + lenBytes + h.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, h.length, true);
  else view.setUint32(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[8 + lenBytes + i] = h.charCodeAt(i);
  out.set(data, 8 + lenBytes + h.length);
  return out;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onnxkit-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('.npy', () => {
  it('round-trips every supported dtype with numpy-compatible headers', () => {
    const cases = [
      { dtype: 'float32', dims: [2, 3], data: Float32Array.from([1, -2.5, 3, 4, 5, 6]) },
      { dtype: 'float64', dims: [3], data: Float64Array.from([0.1, 0.2, 0.3]) },
      { dtype: 'int32', dims: [1, 2], data: Int32Array.from([-7, 9]) },
      { dtype: 'int64', dims: [2], data: BigInt64Array.from([-(2n ** 40n), 5n]) },
      { dtype: 'uint8', dims: [2, 2], data: Uint8Array.from([0, 1, 254, 255]) },
      { dtype: 'bool', dims: [3], data: Uint8Array.from([1, 0, 1]) },
      { dtype: 'float32', dims: [], data: Float32Array.from([42]) },
    ] as const;
    for (const t of cases) {
      const bytes = encodeNpy(t);
      // numpy aligns the data to 64 bytes.
      expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
      // A Node Buffer (readFileSync's result, whose slice() is a view) decodes to the same values.
      for (const input of [bytes, Buffer.from(bytes)]) {
        const back = decodeNpy(input);
        expect(back.dtype).toBe(t.dtype);
        expect(back.dims).toEqual(t.dims);
        expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(t.data as ArrayLike<unknown>));
      }
    }
  });

  it('reads version 2 headers and refuses Fortran order, big-endian and structured arrays', () => {
    const data = new Uint8Array(Float32Array.from([1, 2]).buffer);
    const v2 = decodeNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data, 2));
    expect(Array.from(v2.data as Float32Array)).toEqual([1, 2]);
    expect(() => decodeNpy(npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", data), 'f.npy')).toThrow(
      /f\.npy: the array is in Fortran order; save it in C order/,
    );
    expect(() => decodeNpy(npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", data))).toThrow(/big-endian/);
    expect(() => decodeNpy(npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", data))).toThrow(
      /structured/,
    );
    expect(() => decodeNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data))).toThrow(
      /needs 12 data bytes, the file has 8/,
    );
    expect(() => decodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toThrow(/not a \.npy file/);
  });
});

describe('JSON tensors', () => {
  it('reads nested arrays and {dims, data, dtype} objects', () => {
    const nested = decodeJsonTensor('[[1, 2, 3], [4, 5, 6]]');
    expect(nested).toMatchObject({ dtype: 'float32', dims: [2, 3] });
    expect(Array.from(nested.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const obj = decodeJsonTensor('{"dims": [2], "data": [3, "9007199254740993"], "dtype": "int64"}');
    expect(obj.data).toEqual(BigInt64Array.from([3n, 9007199254740993n]));
    const asInt = decodeJsonTensor('[[1], [2]]', 'x.json', 'int32');
    expect(asInt.data).toBeInstanceOf(Int32Array);
    expect(decodeJsonTensor('{"data": [true, false], "dtype": "bool"}').data).toEqual(Uint8Array.from([1, 0]));
    expect(Array.from(decodeJsonTensor('["NaN", "-Infinity"]').data as Float32Array)).toEqual([NaN, -Infinity]);
  });

  it('round-trips through encodeJsonTensor', () => {
    const t = { name: 'y', dtype: 'int64' as const, dims: [3], data: BigInt64Array.from([1n, -(2n ** 60n), 7n]) };
    const back = decodeJsonTensor(encodeJsonTensor(t));
    expect(back).toMatchObject({ dtype: 'int64', dims: [3] });
    expect(back.data).toEqual(t.data);
  });

  it('names the file and the problem for bad JSON', () => {
    expect(() => decodeJsonTensor('[[1, 2], [3]]', 'r.json')).toThrow(/r\.json: ragged array: data\[1\] should hold 2 items/);
    expect(() => decodeJsonTensor('{"dims": [3], "data": [1, 2]}', 'd.json')).toThrow(/dims \[3\] need 3 values, the data has 2/);
    expect(() => decodeJsonTensor('{"data": [300], "dtype": "uint8"}', 'u.json')).toThrow(/element 0 \(300\) does not fit uint8/);
    expect(() => decodeJsonTensor('{"data": [1], "dtype": "float13"}')).toThrow(/unsupported dtype "float13"/);
    expect(() => decodeJsonTensor('{nope', 'b.json')).toThrow(/b\.json: not valid JSON/);
  });
});

describe('TensorProto .pb', () => {
  it('decodes a conformance input and re-encodes it to an equal tensor', async () => {
    const bytes = new Uint8Array(await readFile(path.join(relu, 'input_0.pb')));
    const t = decodeTensorProto(bytes);
    expect(t).toMatchObject({ name: 'x', dtype: 'float32', dims: [3, 4, 5] });
    expect(t.data).toHaveLength(60);
    const back = decodeTensorProto(encodeTensorProto(t));
    expect(back).toEqual(t);
  });

  it('refuses bytes that are not a TensorProto', () => {
    expect(() => decodeTensorProto(new Uint8Array([0xff, 0xff, 0xff]), 'junk.pb')).toThrow(ModelFormatError);
    expect(() => decodeTensorProto(new Uint8Array([0xff, 0xff, 0xff]), 'junk.pb')).toThrow(/junk\.pb: not a TensorProto/);
    expect(() => decodeTensorProto(new Uint8Array(0), 'e.pb')).toThrow(/e\.pb: not a TensorProto: the file is empty/);
  });
});

describe('tensor files', () => {
  it('writes and reads each format by extension, atomically', async () => {
    const t = { name: 'x', dtype: 'float32' as const, dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]) };
    for (const ext of ['.npy', '.json', '.pb']) {
      const file = path.join(dir, `t${ext}`);
      await writeTensorFile(file, t);
      const back = await readTensorFile(file);
      expect(back.dims).toEqual([2, 2]);
      expect(Array.from(back.data as Float32Array)).toEqual([1, 2, 3, 4]);
    }
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(readTensorFile(path.join(dir, 't.csv'))).rejects.toThrow(/unknown tensor file type '\.csv'; use \.npy, \.json, \.pb/);
    await expect(readTensorFile(path.join(dir, 'none.npy'))).rejects.toThrow(/cannot read tensor file '.*none\.npy': no such file/);
  });

  it('writeFileAtomic replaces a file whole and cleans up after a failure', async () => {
    const file = path.join(dir, 'atomic.bin');
    await writeFile(file, 'old contents');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect(new Uint8Array(await readFile(file))).toEqual(new Uint8Array([1, 2, 3]));
    // Renaming onto a directory fails; the temporary file must not be left behind.
    const target = path.join(dir, 'a-directory');
    await writeFileAtomic(path.join(target, 'x'), 'x', { mkdir: true });
    await expect(writeFileAtomic(target, 'y')).rejects.toThrow();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { decodeModel, encodeModel, GraphBuilder, ModelFormatError, type Model } from '@onnxkit/core';
import { checkExternalLocation, externalTensors, resolveExternalData } from '../src/onnx/external-data.js';

const W = Float32Array.from([0.5, -1, 2, 3.25, -4, 8]);

/** Y = X + W with W [2,3] stored externally at `offset` in `location`. */
function externalModel(location: string, offset = 8): Model {
  const b = new GraphBuilder({ opset: 17 });
  b.input('X', 'float32', [2, 3]);
  b.initializer('W', 'float32', [2, 3], W);
  b.op('Add', ['X', 'W'], {}, { output: 'Y' });
  b.output('Y', 'float32', [2, 3]);
  const model = b.build();
  const w = model.graph.initializers[0];
  w.data = new Float32Array(0);
  w.external = { location, offset, length: W.byteLength };
  return model;
}

/** A file with 8 junk bytes, then W's little-endian bytes, then 4 junk bytes. */
function weightsFile(): Uint8Array {
  const file = new Uint8Array(8 + W.byteLength + 4).fill(0xee);
  file.set(new Uint8Array(W.buffer), 8);
  return file;
}

async function refusal(p: Promise<unknown>): Promise<ModelFormatError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelFormatError);
  expect((err as ModelFormatError).code).toBe('external-data');
  return err as ModelFormatError;
}

describe('resolveExternalData', () => {
  it('loads bytes at offset/length, survives an encode/decode round trip, and runs on ORT', async () => {
    // Encoding writes the external reference; decoding reads it back unresolved.
    const decoded = decodeModel(encodeModel(externalModel('weights.bin')));
    expect(externalTensors(decoded).map((t) => t.external)).toEqual([{ location: 'weights.bin', offset: 8, length: 24 }]);
    const reads: string[] = [];
    await resolveExternalData(decoded, (loc) => {
      reads.push(loc);
      return weightsFile();
    });
    expect(reads).toEqual(['weights.bin']);
    const w = decoded.graph.initializers[0];
    expect(w.external).toBeUndefined();
    expect(Array.from(w.data as Float32Array)).toEqual(Array.from(W));

    const session = await ort.InferenceSession.create(encodeModel(decoded));
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const { Y } = await session.run({ X: new ort.Tensor('float32', x, [2, 3]) });
    expect(Array.from(Y.data as Float32Array)).toEqual(Array.from(x, (v, i) => v + W[i]));
    await session.release();
  });

  it('reads to the end of the file when no length is given, and each file once', async () => {
    const model = externalModel('w.bin', 0);
    delete model.graph.initializers[0].external!.length;
    // A second external tensor in the same file, inside a Constant node's attribute.
    const c = { name: 'c', dtype: 'float32' as const, dims: [1], data: new Float32Array(0), external: { location: 'w.bin', offset: 4, length: 4 } };
    model.graph.nodes.push({ opType: 'Constant', domain: '', name: 'k', inputs: [], outputs: ['K'], attributes: { value: { type: 'tensor', value: c } } });
    let reads = 0;
    await resolveExternalData(model, async () => {
      reads += 1;
      return new Uint8Array(W.buffer.slice(0));
    });
    expect(reads).toBe(1);
    expect(Array.from(model.graph.initializers[0].data as Float32Array)).toEqual(Array.from(W));
    expect(Array.from(c.data as Float32Array)).toEqual([W[1]]);
  });

  it('refuses absolute and escaping locations before reading anything', async () => {
    const read = () => {
      throw new Error('must not be called');
    };
    for (const location of ['../x.bin', '/etc/passwd', 'C:\\w.bin', 'c:w.bin', '\\\\host\\share\\w.bin', '//host/w.bin', 'a/../../x.bin', 'a\\..\\..\\x.bin', '']) {
      const err = await refusal(resolveExternalData(externalModel(location), read));
      expect(err.message).toMatch(/tensor 'W': external data location/);
      expect(err.message).toMatch(/absolute|escapes|empty/);
    }
    expect((await refusal(resolveExternalData(externalModel('../x.bin'), read))).message).toContain("escapes the model's folder");
    expect((await refusal(resolveExternalData(externalModel('/etc/passwd'), read))).message).toContain('is absolute');
  });

  it('accepts relative locations that stay inside the folder', () => {
    for (const location of ['w.bin', './w.bin', 'sub/w.bin', 'sub/../w.bin', 'sub\\w.bin', 'a..b.bin']) {
      expect(() => checkExternalLocation(location)).not.toThrow();
    }
  });

  it('explains a failed read and a byte range that does not fit', async () => {
    const missing = await refusal(
      resolveExternalData(externalModel('gone.bin'), () => {
        throw new Error('no such file');
      }),
    );
    expect(missing.message).toBe("tensor 'W': cannot read external data 'gone.bin': no such file");
    const short = await refusal(resolveExternalData(externalModel('w.bin'), () => new Uint8Array(16)));
    expect(short.message).toMatch(/has 16 bytes, too few for offset 8 \+ length 24/);
    const model = externalModel('w.bin', 0);
    model.graph.initializers[0].external!.length = 20;
    const wrong = await refusal(resolveExternalData(model, () => weightsFile()));
    expect(wrong.message).toMatch(/gives 20 bytes at offset 0, but 6 float32 elements need 24/);
  });

  it('leaves a model without external data untouched', async () => {
    const b = new GraphBuilder();
    b.input('X', 'float32', [1]);
    b.op('Relu', ['X'], {}, { output: 'Y' });
    b.output('Y', 'float32', [1]);
    const model = b.build();
    const before = encodeModel(model);
    await resolveExternalData(model, () => {
      throw new Error('must not be called');
    });
    expect(encodeModel(model)).toEqual(before);
  });
});

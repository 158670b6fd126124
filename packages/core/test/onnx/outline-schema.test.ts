import { readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, ModelFormatError, type Model } from '@onnxkit/core';
import { tinyModel } from './tiny-model.js';
import { decodeModelOutline } from '../../src/onnx/codec/decode-outline.js';
import { externalTensors } from '../../src/onnx/external-data.js';
import { validateModel } from '../../src/onnx/validate.js';

const protoDir = path.resolve(__dirname, '../../src/onnx/proto');
const mnist8 = path.resolve(__dirname, '../../../../../shared/fixtures/models/mnist-onnx/mnist-8.onnx');

/** Field type as it goes over the wire: the outline reads enums as plain int32. */
const wireType = (f: protobuf.Field) => (f.resolvedType instanceof protobuf.Enum ? 'int32' : f.type);

describe('the outline schema', () => {
  it('keeps only fields of the full schema, with their numbers, types and labels', () => {
    const full = protobuf.loadSync(path.join(protoDir, 'onnx-schema.proto')).resolveAll();
    const outline = protobuf.loadSync(path.join(protoDir, 'onnx-outline-schema.proto')).resolveAll();
    const messages = (outline.lookup('onnx') as protobuf.Namespace).nestedArray.filter((n) => n instanceof protobuf.Type);
    expect(messages.length).toBeGreaterThan(8);
    for (const m of messages as protobuf.Type[]) {
      const twin = full.lookupType(m.fullName);
      for (const f of m.fieldsArray) {
        const g = twin.fieldsById[f.id];
        expect(g, `${m.name}.${f.name}`).toBeDefined();
        expect([f.name, wireType(f), f.repeated, f.packed], `${m.name}.${f.name}`).toEqual([g.name, wireType(g), g.repeated, g.packed]);
      }
    }
  });
});

function outcome(run: () => unknown): string {
  try {
    run();
    return 'accepted';
  } catch (e) {
    return e instanceof ModelFormatError ? `${e.code}: ${e.message}` : `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe("createSession's check (outline) and decodeModel", () => {
  const edit = (change: (m: Model) => void) => {
    const m = tinyModel();
    change(m);
    return encodeModel(m);
  };
  const mnist = new Uint8Array(readFileSync(mnist8));
  const corrupt = mnist.slice();
  corrupt.fill(0xff, 100, 140);
  const cases: [string, Uint8Array][] = [
    ['valid', encodeModel(tinyModel())],
    ['mnist-8', mnist],
    ['empty', new Uint8Array()],
    ['text', new Uint8Array(Buffer.from('\x07\x07this is a text file, not an ONNX model\n'))],
    ['truncated', mnist.subarray(0, mnist.length - 1000)],
    ['corrupt', corrupt],
    ['IR 99', edit((m) => (m.irVersion = 99))],
    ['dangling', edit((m) => (m.graph.nodes[1].inputs[0] = 'ghost'))],
    ['missing opset', edit((m) => (m.opsetImports = [{ domain: 'com.example', version: 1 }]))],
    ['duplicate', edit((m) => (m.graph.nodes[1].outputs[0] = m.graph.nodes[0].outputs[0]))],
    ['raw_data size', edit((m) => (m.graph.initializers[0].dims = [4, 3]))],
    ['negative dim', edit((m) => (m.graph.initializers[0].dims = [-4, -2]))],
  ];
  it.each(cases)('%s: the same outcome, code and message', (name, bytes) => {
    const expected = outcome(() => decodeModel(bytes));
    expect(expected.startsWith('accepted')).toBe(name === 'valid' || name === 'mnist-8');
    expect(outcome(() => validateModel(decodeModelOutline(bytes)))).toBe(expected);
  });

  it('finds the same external tensors, subgraphs included', () => {
    const m = tinyModel();
    m.graph.initializers[0].external = { location: 'weights.bin', offset: 0, length: 32 };
    m.graph.initializers[0].data = new Float32Array(0);
    const bytes = encodeModel(m);
    const names = (list: { name: string; external?: { location: string } }[]) => list.map((t) => [t.name, t.external?.location]);
    expect(names(externalTensors(decodeModelOutline(bytes)))).toEqual([['w', 'weights.bin']]);
    expect(names(externalTensors(decodeModelOutline(bytes)))).toEqual(names(externalTensors(decodeModel(bytes))));
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, ModelFormatError } from '@onnxkit/core';
import { tinyModel } from './tiny-model.js';

const mnist8 = path.resolve(__dirname, '../../../../../shared/fixtures/models/mnist-onnx/mnist-8.onnx');

function expectFormatError(fn: () => unknown, code: string, text: RegExp) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as ModelFormatError).code).toBe(code);
    expect((err as Error).message).toMatch(text);
    return;
  }
  throw new Error('expected a ModelFormatError');
}

describe('decodeModel errors', () => {
  it('rejects a non-binary argument with a TypeError naming it', () => {
    expect(() => decodeModel('model.onnx' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => decodeModel('model.onnx' as unknown as Uint8Array)).toThrow(/'bytes'/);
  });

  it('rejects an empty file', () => {
    expectFormatError(() => decodeModel(new Uint8Array()), 'empty', /empty/);
  });

  it('rejects bytes that are not a protobuf', () => {
    const text = new Uint8Array(Buffer.from('\x07\x07this is a text file, not an ONNX model\n'));
    expectFormatError(() => decodeModel(text), 'not-protobuf', /not an ONNX model/);
  });

  it('rejects a corrupted model (bytes flipped in the middle)', () => {
    const bytes = new Uint8Array(readFileSync(mnist8));
    // Overwrite a stretch of the graph with an invalid wire type (7) repeated.
    bytes.fill(0xff, 100, 140);
    expect(() => decodeModel(bytes)).toThrow(ModelFormatError);
  });

  it('rejects a truncated model', () => {
    const bytes = new Uint8Array(readFileSync(mnist8));
    expectFormatError(() => decodeModel(bytes.subarray(0, bytes.length - 1000)), 'truncated', /truncated/);
  });

  it('rejects an unsupported IR version', () => {
    const m = tinyModel();
    m.irVersion = 99;
    expectFormatError(() => decodeModel(encodeModel(m)), 'unsupported-ir-version', /IR version 99/);
  });

  it('rejects a node input that nothing produces, naming node and value', () => {
    const m = tinyModel();
    m.graph.nodes[1].inputs[0] = 'ghost';
    expectFormatError(() => decodeModel(encodeModel(m)), 'dangling-input', /Relu.*'ghost'/);
  });

  it('rejects a missing opset import', () => {
    const m = tinyModel();
    m.opsetImports = [{ domain: 'com.example', version: 1 }];
    expectFormatError(() => decodeModel(encodeModel(m)), 'missing-opset', /ai\.onnx/);
  });

  it('rejects duplicate names', () => {
    const m = tinyModel();
    m.graph.nodes[1].outputs[0] = m.graph.nodes[0].outputs[0];
    expectFormatError(() => decodeModel(encodeModel(m)), 'duplicate-name', /defined twice/);
  });

  it('rejects raw_data whose size disagrees with the dims', () => {
    const m = tinyModel();
    m.graph.initializers[0].dims = [4, 3];
    expectFormatError(() => decodeModel(encodeModel(m)), 'invalid', /'w'.*\[4, 3\]/);
  });

  it('can skip graph validation', () => {
    const m = tinyModel();
    m.graph.nodes[1].inputs[0] = 'ghost';
    expect(decodeModel(encodeModel(m), { validate: false }).graph.nodes[1].inputs[0]).toBe('ghost');
  });
});

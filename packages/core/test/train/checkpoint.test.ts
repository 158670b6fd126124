import { describe, expect, it } from 'vitest';
import { makeTensor } from '@onnxkit/core';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../src/train/artifacts/checkpoint.js';
import { CheckpointFormatError } from '../../src/train/artifacts/checkpoint-error.js';
import { parameterFingerprint } from '../../src/train/artifacts/fingerprint.js';
import { seeded } from './artifacts-helpers.js';

function sample(): Checkpoint {
  const w = makeTensor('conv.w', 'float32', [2, 1, 3, 3], seeded(18, 1));
  const b = makeTensor('conv.b', 'float32', [3], seeded(3, 2));
  return {
    fingerprint: parameterFingerprint([w, b]),
    step: 42,
    parameters: [w, b],
    optimizerState: [makeTensor('conv.w.m', 'float32', [2, 1, 3, 3], seeded(18, 3)), makeTensor('conv.b.m', 'float32', [3], [0, 0, 0])],
    optimizer: { optimizer: 'adamw', beta1: 0.9 },
    metadata: { note: 'ünïcode' },
  };
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointFormatError);
    return (e as CheckpointFormatError).code;
  }
  return undefined;
}

describe('checkpoint format', () => {
  it('round-trips parameters, state, step, optimizer and metadata exactly', () => {
    const ckpt = sample();
    const bytes = encodeCheckpoint(ckpt);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('ONNXKITC');
    const back = decodeCheckpoint(bytes);
    expect(back.step).toBe(42);
    expect(back.fingerprint).toBe(ckpt.fingerprint);
    expect(back.optimizer).toEqual(ckpt.optimizer);
    expect(back.metadata).toEqual(ckpt.metadata);
    expect(back.parameters.map((t) => [t.name, t.dtype, t.dims])).toEqual(ckpt.parameters.map((t) => [t.name, t.dtype, t.dims]));
    ckpt.parameters.forEach((t, i) => expect(back.parameters[i].data).toEqual(t.data));
    ckpt.optimizerState.forEach((t, i) => expect(back.optimizerState[i].data).toEqual(t.data));
    // Decoding from an unaligned view of the bytes works too.
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeCheckpoint(shifted.subarray(3)).parameters[1].data).toEqual(ckpt.parameters[1].data);
  });

  it('fingerprints depend on names and shapes, not order', () => {
    const a = { name: 'a', dtype: 'float32' as const, dims: [2, 3] };
    const b = { name: 'b', dtype: 'float32' as const, dims: [3] };
    expect(parameterFingerprint([a, b])).toBe(parameterFingerprint([b, a]));
    expect(parameterFingerprint([a, b])).not.toBe(parameterFingerprint([a, { ...b, dims: [4] }]));
    expect(parameterFingerprint([a, b])).toMatch(/^[0-9a-f]{16}$/);
  });

  it('names each way bytes can be wrong', () => {
    const bytes = encodeCheckpoint(sample());
    const edit = (f: (b: Uint8Array) => void) => {
      const copy = bytes.slice();
      f(copy);
      return copy;
    };
    expect(codeOf(() => decodeCheckpoint(edit((b) => (b[0] = 0x50))))).toBe('bad-magic');
    expect(codeOf(() => decodeCheckpoint(new Uint8Array(3)))).toBe('bad-magic');
    expect(codeOf(() => decodeCheckpoint(edit((b) => (b[8] = 2))))).toBe('unsupported-version');
    expect(() => decodeCheckpoint(edit((b) => (b[8] = 2)))).toThrow(/version 2 is not supported/);
    expect(codeOf(() => decodeCheckpoint(bytes.subarray(0, 12)))).toBe('truncated');
    expect(codeOf(() => decodeCheckpoint(bytes.subarray(0, 40)))).toBe('truncated');
    expect(codeOf(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4)))).toBe('truncated');
    expect(codeOf(() => decodeCheckpoint(edit((b) => (b[b.length - 20] ^= 1))))).toBe('corrupt');
    expect(codeOf(() => decodeCheckpoint(edit((b) => (b[16] = 0x7b + 1))))).toBe('corrupt');
    expect(() => decodeCheckpoint('x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => encodeCheckpoint({ ...sample(), step: -1 })).toThrow(RangeError);
  });
});

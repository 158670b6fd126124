import { describe, expect, it } from 'vitest';
import { makeTensor } from '@onnxkit/core';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../src/train/artifacts/checkpoint.js';
import { CheckpointFormatError } from '../../src/train/artifacts/checkpoint-error.js';
import { crc32 } from '../../src/train/artifacts/crc32.js';
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

  it('decodes a Node Buffer (what readFileSync returns), whose slice() is a view, to the same values', () => {
    const ckpt = sample();
    const bytes = encodeCheckpoint(ckpt);
    for (const buffer of [Buffer.from(bytes), Buffer.concat([Buffer.alloc(5), Buffer.from(bytes)]).subarray(5)]) {
      const back = decodeCheckpoint(buffer);
      ckpt.parameters.forEach((t, i) => expect(back.parameters[i].data).toEqual(t.data));
      ckpt.optimizerState.forEach((t, i) => expect(back.optimizerState[i].data).toEqual(t.data));
    }
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
    expect(codeOf(() => decodeCheckpoint(edit((b) => (b[8] = 4))))).toBe('unsupported-version');
    expect(() => decodeCheckpoint(edit((b) => (b[8] = 4)))).toThrow(/version 4 is not supported/);
    expect(codeOf(() => decodeCheckpoint(bytes.subarray(0, 12)))).toBe('truncated');
    expect(codeOf(() => decodeCheckpoint(bytes.subarray(0, 40)))).toBe('truncated');
    expect(codeOf(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4)))).toBe('truncated');
    expect(codeOf(() => decodeCheckpoint(edit((b) => (b[b.length - 20] ^= 1))))).toBe('corrupt');
    expect(codeOf(() => decodeCheckpoint(edit((b) => (b[16] = 0x7b + 1))))).toBe('corrupt');
    expect(() => decodeCheckpoint('x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => encodeCheckpoint({ ...sample(), step: -1 })).toThrow(RangeError);
  });
});

/** Re-seals a version 2 checkpoint after an edit, as someone tampering with it would. */
function reseal(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(16, crc32(bytes.subarray(20)), true);
  return bytes;
}

/** The header JSON of a version 2 checkpoint, and a copy with it replaced (same length or not). */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const length = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + length))) as Record<string, unknown>;
  const dataStart = (20 + length + 7) & ~7;
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (20 + json.length + 7) & ~7;
  const out = new Uint8Array(start + bytes.length - dataStart);
  out.set(bytes.subarray(0, 20));
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 20);
  out.set(bytes.subarray(dataStart), start);
  return reseal(out);
}

/** A version 1 checkpoint, as builds before version 2 wrote it (CRC over the tensor bytes only). */
function encodeV1(ckpt: Checkpoint): Uint8Array {
  const v2 = encodeCheckpoint(ckpt);
  const view = new DataView(v2.buffer, v2.byteOffset);
  const length = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(v2.subarray(20, 20 + length))) as { dataLength: number; dataCrc32?: number };
  const data = v2.subarray(v2.length - header.dataLength);
  header.dataCrc32 = crc32(data);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (16 + json.length + 7) & ~7;
  const out = new Uint8Array(start + data.length);
  out.set(v2.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, 1, true);
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(data, start);
  return out;
}

describe('checkpoint integrity (finding 5)', () => {
  it('the CRC covers the header: flipping any header byte is caught as corrupt before anything loads', () => {
    const bytes = encodeCheckpoint(sample());
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    for (let i = 20; i < 20 + length; i++) {
      const copy = bytes.slice();
      copy[i] ^= 0x04;
      // A flip that makes 'dataLength' claim more bytes than the file has reads as a cut-off file.
      expect(['corrupt', 'truncated']).toContain(codeOf(() => decodeCheckpoint(copy)));
    }
  });

  it('an edited tensor offset is refused (bounds, alignment, overlap) even when the CRC is recomputed', () => {
    const bytes = encodeCheckpoint(sample());
    const shift = (offset: number) =>
      withHeader(bytes, (h) => {
        (h.tensors as { offset: number }[])[1].offset = offset;
      });
    expect(() => decodeCheckpoint(shift(8))).toThrow(/tensors 'conv.w' and 'conv.b' overlap/);
    expect(() => decodeCheckpoint(shift(76))).toThrow(/offset 76, not a multiple of 8/);
    expect(() => decodeCheckpoint(shift(1 << 20))).toThrow(/lies outside the data/);
    const twice = withHeader(bytes, (h) => {
      const t = h.tensors as object[];
      t.push({ ...t[0] });
    });
    expect(() => decodeCheckpoint(twice)).toThrow(/listed twice/);
    expect(() => decodeCheckpoint(withHeader(bytes, (h) => void (h.metadata = { a: 1 })))).toThrow(/metadata/);
  });

  it('still reads version 1 files, with the same offset checks', () => {
    const ckpt = sample();
    const v1 = encodeV1(ckpt);
    expect(new DataView(v1.buffer).getUint32(8, true)).toBe(1);
    const back = decodeCheckpoint(v1);
    expect(back.step).toBe(42);
    expect(back.parameters[0].data).toEqual(ckpt.parameters[0].data);
    expect(back.metadata).toEqual(ckpt.metadata);
    const text = new TextDecoder().decode(v1);
    const edited = new TextEncoder().encode(text.replace('"offset":80', '"offset":8'));
    expect(codeOf(() => decodeCheckpoint(edited))).toBe('corrupt');
  });

  it('a damaged or edited fit position is a CheckpointFormatError naming the field, not a raw JS error', async () => {
    const { fitPositionFromMetadata } = await import('../../src/train/trainer/fit-position.js');
    const key = 'onnxkit.fit';
    const good = { seed: 0, epoch: 1, batch: 0, history: [{ epoch: 0, loss: 1, seconds: 1 }], badEpochs: 0, lossSum: 0, lossCount: 0 };
    expect(fitPositionFromMetadata({ [key]: JSON.stringify(good) })).toEqual(good);
    expect(() => fitPositionFromMetadata({ [key]: JSON.stringify({ ...good, history: 'x' }) })).toThrow(/'history' is not an array/);
    expect(() => fitPositionFromMetadata({ [key]: JSON.stringify({ ...good, epoch: 99 }) })).toThrow(/'history' has 1 epochs, but 'epoch' is 99/);
    expect(codeOf(() => fitPositionFromMetadata({ [key]: '{' }))).toBe('corrupt');
  });
});

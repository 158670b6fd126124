import { describe, expect, it } from 'vitest';
import { planWindow } from '../../src/convert/layers/window.js';
import { permuteData } from '../../src/convert/layers/permute-data.js';
import { detectFormat } from '@onnxkit/core';
import { checkRelativePath } from '../../src/convert/formats/safe-path.js';
import { halfToFloat } from '../../src/convert/formats/tfjs.js';

describe('TF padding arithmetic', () => {
  it('same padding puts the odd pixel at the end (bottom/right), as TensorFlow does', () => {
    // 28 input, 3x3, stride 2: out 14, total pad (14-1)*2+3-28 = 1 → 0 before, 1 after.
    expect(planWindow({ kernel: [3, 3], strides: [2, 2], dilations: [1, 1], padding: 'same' }, [28, 28])).toEqual({ pads: [0, 0, 1, 1], out: [14, 14] });
    // 7x7 input, 3x3 dilated by 2 (effective 5), stride 1: total 4 → 2 and 2.
    expect(planWindow({ kernel: [3, 3], strides: [1, 1], dilations: [2, 2], padding: 'same' }, [7, 9])).toEqual({ pads: [2, 2, 2, 2], out: [7, 9] });
    // 4x4 kernel, stride 1: total 3 → 1 before, 2 after.
    expect(planWindow({ kernel: [4, 2], strides: [1, 1], dilations: [1, 1], padding: 'same' }, [10, 10])).toEqual({ pads: [1, 0, 2, 1], out: [10, 10] });
    expect(planWindow({ kernel: [3, 3], strides: [2, 2], dilations: [1, 1], padding: 'same' }, [null, 28])).toEqual({ autoPad: 'SAME_UPPER', out: [null, 14] });
  });

  it('valid padding floors', () => {
    expect(planWindow({ kernel: [3, 3], strides: [3, 3], dilations: [1, 1], padding: 'valid' }, [26, 28])).toEqual({ pads: [0, 0, 0, 0], out: [8, 9] });
  });
});

describe('helpers', () => {
  it('permuteData transposes row-major data', () => {
    // [2, 3] → [3, 2]
    expect(Array.from(permuteData(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0]))).toEqual([1, 4, 2, 5, 3, 6]);
    // HWIO [1, 2, 2, 1] → OIHW [1, 2, 1, 2]
    expect(Array.from(permuteData(Float32Array.from([1, 2, 3, 4]), [1, 2, 2, 1], [3, 2, 0, 1]))).toEqual([1, 3, 2, 4]);
  });

  it('detects formats from content', () => {
    expect(detectFormat(Uint8Array.from([0x50, 0x4b, 3, 4, 0]))).toBe('zip');
    expect(detectFormat(Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('hdf5');
    expect(detectFormat(new Uint8Array(Buffer.from('  \n{"a":1}')))).toBe('json');
    expect(detectFormat(Uint8Array.from([1, 2, 3]))).toBe('unknown');
  });

  it('checkRelativePath keeps paths inside their folder', () => {
    expect(checkRelativePath('./group1-shard1of1', 'shard')).toBe('group1-shard1of1');
    expect(checkRelativePath('sub/./w.bin', 'shard')).toBe('sub/w.bin');
    for (const bad of ['../w.bin', 'a/../../w', '/abs', 'C:x', 'a\\b', '', 'http://h/w.bin']) expect(() => checkRelativePath(bad, 'shard')).toThrow(/refusing to read it/);
  });

  it('halfToFloat decodes IEEE half precision', () => {
    expect([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0000, 0x7c00].map(halfToFloat)).toEqual([1, -2, 65504, 2 ** -24, 0, Infinity]);
  });
});

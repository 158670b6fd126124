import { describe, expect, it } from 'vitest';
import { brandClass, sharedSlot } from '../src/shared-slot.js';

// Two copies of a package define the "same" class twice; these stand for them.
function makeCopy() {
  class CopyError extends Error {}
  brandClass(CopyError, 'test.CopyError');
  class SubError extends CopyError {}
  return { CopyError, SubError };
}

describe('brandClass', () => {
  it('recognises instances from another copy, not unrelated or unbranded values', () => {
    const a = makeCopy();
    const b = makeCopy();
    expect(a.CopyError).not.toBe(b.CopyError);
    expect(new b.CopyError('x') instanceof a.CopyError).toBe(true);
    expect(new b.SubError('x') instanceof a.CopyError).toBe(true);
    expect(new Error('x') instanceof a.CopyError).toBe(false);
    expect((null as unknown) instanceof a.CopyError).toBe(false);
    expect({} instanceof a.CopyError).toBe(false);
  });

  it('keeps ordinary instanceof for an unbranded subclass', () => {
    const a = makeCopy();
    const b = makeCopy();
    expect(new a.SubError('x') instanceof a.SubError).toBe(true);
    expect(new a.CopyError('x') instanceof a.SubError).toBe(false);
    expect(new b.SubError('x') instanceof a.SubError).toBe(false);
  });
});

describe('sharedSlot', () => {
  it('gives every caller the same object for one name, a fresh one for another', () => {
    const first = sharedSlot('test.slot', () => ({ n: 1 }));
    const second = sharedSlot('test.slot', () => ({ n: 2 }));
    expect(second).toBe(first);
    expect(second.n).toBe(1);
    expect(sharedSlot('test.other-slot', () => ({ n: 3 })).n).toBe(3);
  });
});

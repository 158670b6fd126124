import { describe, expect, it } from 'vitest';
import { pooledSessionOptions } from '../../src/classify/classifier/pooled-session.js';

describe('pooledSessionOptions', () => {
  it('gives one intra-op thread that does not spin, keeping every other option', () => {
    expect(pooledSessionOptions({ device: 'cpu', extra: { session: { use_env_allocators: '1' } } })).toEqual({
      device: 'cpu',
      intraOpNumThreads: 1,
      extra: { session: { use_env_allocators: '1', intra_op: { allow_spinning: '0' } } },
    });
  });

  it("leaves the caller's thread count and spinning alone", () => {
    const given = { intraOpNumThreads: 4, extra: { 'session.intra_op.allow_spinning': '1' } };
    expect(pooledSessionOptions(given)).toEqual(given);
    expect(pooledSessionOptions({ intraOpNumThreads: 0 }).intraOpNumThreads).toBe(0);
  });
});

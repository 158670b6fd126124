import { describe, expect, it } from 'vitest';
import { withTrainerDefaults } from '../../src/train/trainer/session-defaults.js';

describe('withTrainerDefaults', () => {
  it('turns off intra-op spinning and keeps every other option', () => {
    const out = withTrainerDefaults({ device: 'cpu', intraOpNumThreads: 2, extra: { session: { use_env_allocators: '1' }, other: 'x' } });
    expect(out).toEqual({
      device: 'cpu',
      intraOpNumThreads: 2,
      extra: { session: { use_env_allocators: '1', intra_op: { allow_spinning: '0' } }, other: 'x' },
    });
  });

  it('leaves a caller-set allow_spinning alone, nested or flat', () => {
    const nested = { extra: { session: { intra_op: { allow_spinning: '1' } } } };
    const flat = { extra: { 'session.intra_op.allow_spinning': '1' } };
    const half = { extra: { session: { 'intra_op.allow_spinning': '1' } } };
    expect(withTrainerDefaults(nested)).toBe(nested);
    expect(withTrainerDefaults(flat)).toBe(flat);
    expect(withTrainerDefaults(half)).toBe(half);
  });

  it('does not change the options it is given', () => {
    const given = { extra: { session: { intra_op: { other: '1' } } } };
    withTrainerDefaults(given);
    expect(given).toEqual({ extra: { session: { intra_op: { other: '1' } } } });
  });
});

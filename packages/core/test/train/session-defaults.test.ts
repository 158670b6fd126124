import { describe, expect, it } from 'vitest';
import { withTrainerDefaults } from '../../src/train/trainer/session-defaults.js';

describe('withTrainerDefaults', () => {
  it('turns off intra-op spinning and the memory pattern and keeps every other option', () => {
    const out = withTrainerDefaults({ device: 'cpu', intraOpNumThreads: 2, extra: { session: { use_env_allocators: '1' }, other: 'x' } });
    expect(out).toEqual({
      device: 'cpu',
      intraOpNumThreads: 2,
      enableMemPattern: false,
      extra: { session: { use_env_allocators: '1', intra_op: { allow_spinning: '0' } }, other: 'x' },
    });
  });

  it('leaves a caller-set allow_spinning alone, nested or flat', () => {
    const nested = { extra: { session: { intra_op: { allow_spinning: '1' } } } };
    const flat = { extra: { 'session.intra_op.allow_spinning': '1' } };
    const half = { extra: { session: { 'intra_op.allow_spinning': '1' } } };
    for (const given of [nested, flat, half]) expect(withTrainerDefaults(given)).toEqual({ ...given, enableMemPattern: false });
  });

  it('leaves a caller-set enableMemPattern alone', () => {
    const on = { enableMemPattern: true, extra: { 'session.intra_op.allow_spinning': '1' } };
    expect(withTrainerDefaults(on)).toBe(on);
    expect(withTrainerDefaults({ enableMemPattern: false }).enableMemPattern).toBe(false);
  });

  it('does not change the options it is given', () => {
    const given = { extra: { session: { intra_op: { other: '1' } } } };
    withTrainerDefaults(given);
    expect(given).toEqual({ extra: { session: { intra_op: { other: '1' } } } });
  });
});

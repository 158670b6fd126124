import { Long } from './protobuf.js';

/** A protobuf int64 as protobufjs hands it over (Long with --force-long, a number otherwise). */
export type Int64Like = Long | number | { low: number; high: number; unsigned?: boolean };

/** int64 → JS number (exact below 2^53; larger values round, which int64 attributes never need). */
export function int64ToNumber(v: Int64Like | null | undefined): number {
  if (v == null) return 0;
  if (typeof v === 'number') return v;
  return Long.fromBits(v.low, v.high, v.unsigned).toNumber();
}

/** int64 → bigint, exactly. */
export function int64ToBigInt(v: Int64Like, unsigned = false): bigint {
  if (typeof v === 'number') return BigInt(v);
  const value = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return unsigned ? value : BigInt.asIntN(64, value);
}

/** JS number → Long; values beyond the int64 range saturate (so INT64_MAX round-trips). */
export function numberToLong(v: number): Long {
  return Long.fromNumber(v);
}

/** bigint → Long, exactly. */
export function bigIntToLong(v: bigint, unsigned = false): Long {
  const bits = BigInt.asUintN(64, v);
  return Long.fromBits(Number(bits & 0xffffffffn) | 0, Number(bits >> 32n) | 0, unsigned);
}

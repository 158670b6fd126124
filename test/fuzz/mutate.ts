import { Random } from '@onnxkit/core';

/** Byte values that break parsers most often: zero, all ones, sign bits, varint continuation. */
const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x40, 0x20];

/**
 * One seeded mutation of `bytes`: bit flips, interesting bytes, a truncation, a deleted, duplicated or
 * random chunk, or a run of 0xff (huge varints and lengths). Never returns the input array itself.
 */
export function mutateBytes(bytes: Uint8Array, rng: Random, from = 0): Uint8Array {
  const n = bytes.length;
  const at = () => from + rng.int(Math.max(1, n - from));
  const out = Uint8Array.from(bytes);
  switch (rng.int(8)) {
    case 0:
      for (let k = 1 + rng.int(8); k > 0; k--) out[at()] ^= 1 << rng.int(8);
      return out;
    case 1:
      for (let k = 1 + rng.int(4); k > 0; k--) out[at()] = INTERESTING[rng.int(INTERESTING.length)];
      return out;
    case 2:
      return bytes.slice(0, at());
    case 3: {
      const s = at();
      return concat(bytes.subarray(0, s), bytes.subarray(Math.min(n, s + 1 + rng.int(256))));
    }
    case 4: {
      const s = at();
      const chunk = bytes.subarray(s, Math.min(n, s + 1 + rng.int(512)));
      return concat(bytes.subarray(0, s), chunk, chunk, bytes.subarray(s + chunk.length));
    }
    case 5: {
      const s = at();
      const junk = new Uint8Array(1 + rng.int(64)).map(() => rng.int(256));
      return concat(bytes.subarray(0, s), junk, bytes.subarray(s));
    }
    case 6: {
      const s = at();
      out.fill(0xff, s, Math.min(n, s + 1 + rng.int(10)));
      return out;
    }
    default: {
      const s = at();
      for (let i = s; i < Math.min(n, s + 1 + rng.int(32)); i++) out[i] = rng.int(256);
      return out;
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const NASTY_VALUES: readonly unknown[] = [
  null, -1, 0, 1e308, -1e308, 2 ** 53 + 2, 4294967296, 1.5, 'x', '', '../../etc/passwd', '/etc/passwd', [], {}, [[[[]]]], true,
  Array.from({ length: 300 }, () => 1),
];

/**
 * One seeded structural mutation of a JSON document: a value somewhere replaced by a nasty one (wrong type,
 * huge, negative, a path out of the folder), a key deleted, an array emptied or duplicated, or a subtree
 * wrapped 300 levels deep.
 */
export function mutateJson(value: unknown, rng: Random): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as unknown;
  const holders: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (holders.push({ parent: v, key: i }), walk(x)));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) holders.push({ parent: v as Record<string, unknown>, key: k }), walk(x);
  };
  walk(copy);
  if (holders.length === 0) return NASTY_VALUES[rng.int(NASTY_VALUES.length)];
  const { parent, key } = holders[rng.int(holders.length)];
  const p = parent as Record<string | number, unknown>;
  switch (rng.int(5)) {
    case 0:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
      break;
    case 1:
      if (Array.isArray(p[key])) (p[key] as unknown[]).push(...(p[key] as unknown[]));
      else p[key] = NASTY_VALUES[rng.int(NASTY_VALUES.length)];
      break;
    case 2: {
      let deep: unknown = p[key];
      for (let i = 0; i < 300; i++) deep = [deep];
      p[key] = deep;
      break;
    }
    default:
      p[key] = NASTY_VALUES[rng.int(NASTY_VALUES.length)];
  }
  return copy;
}

/** A Random for case `index` of `category` under `seed`: each case is reproducible on its own. */
export function caseRandom(seed: number, category: string, index: number): Random {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of `${category}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return new Random(h);
}

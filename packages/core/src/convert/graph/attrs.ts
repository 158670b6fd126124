import { decodeUtf8 } from '../../onnx/codec/utf8.js';
import { ConvertError } from '../errors.js';
import { asRecord } from '../topology/config-values.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Decodes standard base64 (how GraphDef JSON writes bytes), ignoring padding; a ConvertError names `what` on a bad character. */
export function decodeBase64(text: string, what: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const c of clean) {
    const v = B64_INDEX.get(c);
    if (v === undefined) throw new ConvertError('corrupt', `${what}: invalid base64 character ${JSON.stringify(c)}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/**
 * Typed access to a GraphDef node's `attr` map as TF.js graph-model JSON writes it (`{ i: "1" }`,
 * `{ s: base64 }`, `{ list: { i: [...] } }`, `{ f }`, `{ b }`), with errors naming the node and attribute.
 */
export class AttrReader {
  constructor(
    readonly attr: Record<string, unknown>,
    /** e.g. `node 'conv1' (Conv2D)` */
    readonly where: string,
  ) {}

  has(key: string): boolean {
    return asRecord(this.attr[key]) !== undefined;
  }

  /** A string attribute (`s`: base64 in JSON; a byte list in TF.js 0.x graph models), or `fallback` when absent. */
  string(key: string, fallback?: string): string {
    const s = asRecord(this.attr[key])?.s;
    if (s === undefined && fallback !== undefined) return fallback;
    return this.text(s, key);
  }

  /** A list of strings (`list.s`), empty when absent. */
  strings(key: string): string[] {
    const list = asRecord(asRecord(this.attr[key])?.list)?.s ?? [];
    if (!Array.isArray(list)) throw this.bad(key, 'a list of strings');
    return list.map((s) => this.text(s, key));
  }

  /** An integer list (`list.i`, int64s written as strings), or `fallback` when absent. */
  ints(key: string, fallback?: number[]): number[] {
    const rec = asRecord(this.attr[key]);
    if (!rec && fallback) return fallback;
    const list = asRecord(rec?.list)?.i ?? [];
    if (!Array.isArray(list)) throw this.bad(key, 'a list of integers');
    return list.map((v) => this.toInt(v, key));
  }

  int(key: string, fallback?: number): number {
    const v = asRecord(this.attr[key])?.i;
    if (v === undefined && fallback !== undefined) return fallback;
    return this.toInt(v, key);
  }

  number(key: string, fallback: number): number {
    const v = asRecord(this.attr[key])?.f;
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.bad(key, 'a number');
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = asRecord(this.attr[key])?.b;
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw this.bad(key, 'true or false');
    return v;
  }

  /** An error about an unsupported setting of this node. */
  unsupported(what: string): ConvertError {
    return new ConvertError('unsupported-op', `${this.where}: ${what} is not supported`);
  }

  private text(s: unknown, key: string): string {
    if (typeof s === 'string') return decodeUtf8(decodeBase64(s, `${this.where}: attribute '${key}'`));
    if (Array.isArray(s) && s.every((b) => Number.isInteger(b) && b >= 0 && b < 256)) return decodeUtf8(Uint8Array.from(s as number[]));
    throw this.bad(key, 'a string');
  }

  private toInt(v: unknown, key: string): number {
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw this.bad(key, 'an integer');
    return n;
  }

  private bad(key: string, expected: string): ConvertError {
    return new ConvertError('invalid-config', `${this.where}: attribute '${key}' must be ${expected}, got ${JSON.stringify(this.attr[key]) ?? 'nothing'}`);
  }
}

import { ConvertError } from '../errors.js';

/** A JSON object, or undefined. */
export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Reads typed fields of a layer's config, with errors naming the layer and field. */
export class ConfigReader {
  constructor(
    readonly config: Record<string, unknown>,
    /** e.g. `layer 'conv2d' (Conv2D)` */
    readonly where: string,
  ) {}

  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  number(key: string, fallback?: number): number {
    const v = this.config[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.bad(key, 'a number', v);
    return v;
  }

  int(key: string, fallback?: number): number {
    const v = this.number(key, fallback);
    if (!Number.isInteger(v)) throw this.bad(key, 'an integer', v);
    return v;
  }

  optionalNumber(key: string): number | undefined {
    return this.has(key) ? this.number(key) : undefined;
  }

  string(key: string, fallback?: string): string {
    const v = this.config[key] ?? fallback;
    if (typeof v !== 'string') throw this.bad(key, 'a string', v);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.config[key] ?? fallback;
    if (typeof v !== 'boolean') throw this.bad(key, 'true or false', v);
    return v;
  }

  /** A pair of integers: `n` → `[n, n]`, `[a, b]` kept; `null`/missing → fallback. */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const v = this.config[key] ?? fallback;
    if (typeof v === 'number' && Number.isInteger(v)) return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x))) return [v[0] as number, v[1] as number];
    throw this.bad(key, 'an integer or a pair of integers', v);
  }

  /** An integer list (a single integer counts as a list of one). */
  ints(key: string): number[] {
    const v = this.config[key];
    if (typeof v === 'number' && Number.isInteger(v)) return [v];
    if (Array.isArray(v) && v.every((x) => Number.isInteger(x))) return v as number[];
    throw this.bad(key, 'a list of integers', v);
  }

  /** An error about an unsupported setting of this layer. */
  unsupported(what: string): ConvertError {
    return new ConvertError('unsupported-layer', `${this.where}: ${what} is not supported`);
  }

  private bad(key: string, expected: string, got: unknown): ConvertError {
    return new ConvertError('invalid-config', `${this.where}: config '${key}' must be ${expected}, got ${JSON.stringify(got) ?? 'nothing'}`);
  }
}

/**
 * A small seeded pseudo-random generator (mulberry32: 32-bit state, period 2^32) — enough for weight
 * initialisation, shuffling and augmentation, and cheap to checkpoint: its whole state is one integer.
 * Not for cryptography.
 */
export class Random {
  private s: number;

  /**
   * @param seed - any integer (taken modulo 2^32). @defaultValue 0
   */
  constructor(seed = 0) {
    if (!Number.isInteger(seed)) throw new TypeError(`Random: 'seed' must be an integer, got ${seed}`);
    this.s = seed >>> 0;
  }

  /** A generator that continues exactly where the one that returned `state` was. */
  static fromState(state: number): Random {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) {
      throw new RangeError(`Random.fromState: 'state' must be an unsigned 32-bit integer, got ${state}`);
    }
    return new Random(state);
  }

  /** The whole state as an unsigned 32-bit integer (store it in a checkpoint; see {@link Random.fromState}). */
  state(): number {
    return this.s;
  }

  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform float in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Random.int: 'n' must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /**
   * A normal sample (Box–Muller). Each call draws exactly two uniforms and keeps no spare, so
   * {@link Random.state} alone restores the sequence.
   */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.next(); // (0, 1]: log(u) is finite
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fills `out` with uniform samples in [low, high) and returns it. */
  fillUniform(out: Float32Array, low = 0, high = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  /** Fills `out` with normal samples and returns it. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

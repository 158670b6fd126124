/** Where a {@link ByteStore} keeps its bytes. */
export type StoreKind = 'opfs' | 'indexeddb' | 'memory';

/**
 * A small key → bytes store for checkpoints and fine-tuned models. Implementations: {@link opfsStore}
 * (Origin Private File System), {@link indexedDbStore} and {@link memoryStore}; {@link openBrowserStore}
 * picks the best one the browser has. Keys are non-empty strings of at most 200 characters.
 */
export interface ByteStore {
  /** The backing storage. */
  readonly kind: StoreKind;
  /** True when the bytes outlive the page (OPFS, IndexedDB). */
  readonly persistent: boolean;
  /** The bytes stored under `key`, or undefined when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores a copy of `bytes` under `key`, replacing what was there; a reader sees the old or the new bytes, never a mix. */
  set(key: string, bytes: Uint8Array): Promise<void>;
  /** Removes `key`; resolves true when something was removed. */
  delete(key: string): Promise<boolean>;
  /** Every stored key, sorted. */
  keys(): Promise<string[]>;
}

/** Throws a TypeError/RangeError naming `where` for a key the stores refuse. */
export function checkKey(where: string, key: unknown): string {
  if (typeof key !== 'string') throw new TypeError(`${where}: key must be a string, got ${key === null ? 'null' : typeof key}`);
  if (key.length === 0 || key.length > 200) throw new RangeError(`${where}: key must have 1 to 200 characters, got ${key.length}`);
  return key;
}

/** Throws a TypeError naming `where` unless `bytes` is a Uint8Array. */
export function checkBytes(where: string, bytes: unknown): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${where}: bytes must be a Uint8Array`);
  return bytes;
}
